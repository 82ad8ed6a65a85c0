// The function's entry: what the container runs as `node dist/func.js`. Nothing else lives here,
// so tests can import the handler without starting the fdk.
import { handle } from '@fnproject/fdk';
import { createHandler } from './handler.js';

handle(createHandler(), { inputMode: 'buffer' });
