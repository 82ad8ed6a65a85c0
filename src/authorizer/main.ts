// The authorizer's entry: `node dist/authorizer.js`, same image as dist/func.js (the function's
// CMD picks the entry). handle() first, the rest loaded while the fdk listens (5 s to listen).
import { handle } from '@fnproject/fdk';

const loading = import('./authorizer.js').then(({ createAuthorizer }) => createAuthorizer());

handle(async (input, ctx) => (await loading)(input, ctx), { inputMode: 'buffer' });
