// The function's entry: what the container runs as `node dist/func.js`. It calls handle() first and
// loads the handler (zod, OpenTelemetry, the OCI SDK: ~0.4 s on 2 vCPU) while the fdk listens: the
// agent gives a container 5 s to listen, and an OCI Functions shape with a fraction of a CPU loads
// modules many times slower. The first call waits for the load; later calls do not.
import { handle, rawResult, type Context } from '@fnproject/fdk';

const loading = import('./function/handler.js').then(
  ({ createHandler }) => createHandler(),
  (error: unknown) => {
    // Without its code the function can only say so: a JSON 500 rather than the fdk's bare 502.
    console.error(
      JSON.stringify({
        level: 'error',
        time: new Date().toISOString(),
        message: 'function failed to load',
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    return (_input: Buffer, ctx: Context) => {
      ctx.httpGateway.statusCode = 500;
      ctx.responseContentType = 'application/json; charset=utf-8';
      return Promise.resolve(rawResult(JSON.stringify({ message: 'internal error: the function failed to load' })));
    };
  },
);

handle(async (input, ctx) => (await loading)(input, ctx), { inputMode: 'buffer' });
