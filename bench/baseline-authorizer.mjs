// The authorizer bench's baseline (bench/authorizer.ts): a bare fdk function that admits every
// call with the answer API Gateway expects, and nothing else — what node and the fdk cost alone.
import { handle } from '@fnproject/fdk';

handle(
  () => ({
    active: true,
    principal: 'baseline',
    clientId: 'baseline',
    scope: ['x'],
    expiresAt: new Date(Date.now() + 300_000).toISOString(),
  }),
  {
    inputMode: 'buffer',
  },
);
