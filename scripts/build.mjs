// Bundles our own code (src/, workflows/, telemetry/) into a few ESM files under dist/;
// node_modules stay external, so the container ships them as installed by `npm ci --omit=dev`.
import { build } from 'esbuild';

await build({
  entryPoints: {
    func: 'src/func.ts',          // the function: `node dist/func.js` under the Fn agent
    start: 'src/local/start.ts',  // `npm start`: local gateway + Fn agent + B2C emulator
    emulator: 'src/emulator/main.ts', // the B2C Service emulator on its own
    cli: 'src/cli/main.ts',       // `sms-incident runs list|show|redrive`: the run journal for SREs
    alarms: 'telemetry/alarms-cli.ts', // `npm run alarms -- print|apply`: the alarms as code
    authorizer: 'src/authorizer/main.ts', // the API Gateway authorizer function (image target `authorizer`)
  },
  outdir: 'dist',
  bundle: true,
  // Shared code goes to chunks, and a dynamic import() stays lazy: dist/func.js listens before it loads the handler.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
