// `node dist/emulator.js`: the B2C Service emulator on its own, for local use.
// PORT (default 9000), B2C_EMULATOR_HOST (default 127.0.0.1), B2C_EMULATOR_USERNAME / B2C_EMULATOR_PASSWORD (default admin/admin).
import { startEmulator } from './server.js';

const port = Number(process.env.PORT ?? 9000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}

const emulator = await startEmulator({
  port,
  host: process.env.B2C_EMULATOR_HOST ?? '127.0.0.1',
  username: process.env.B2C_EMULATOR_USERNAME ?? 'admin',
  password: process.env.B2C_EMULATOR_PASSWORD ?? 'admin',
});
console.log(
  `B2C Service emulator ready at ${emulator.url} (API ${emulator.url}/services/rest/connect/v1.4, state ${emulator.url}/__emulator/state)`,
);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
