/**
 * Which Node the fdk integration tests spawn the functions with. CI runs them twice: under the
 * machine's Node 20 and under Node 22 (scripts/with-node22.sh sets EXPECT_NODE_MAJOR=22), the only
 * Node OCI Functions runs. This proves the second run really spawned dist/*.js with Node 22.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startFunction } from '../../src/local/index.js';

describe('node runtime of the spawned functions', () => {
  it('is the one CI asked for', async () => {
    const expected = process.env.EXPECT_NODE_MAJOR;
    const spawned = execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
    if (expected !== undefined) expect(spawned).toMatch(new RegExp(`^v${expected}\\.`));
    // startFunction spawns process.execPath, the binary checked above.
    const fn = await startFunction({
      entry: new URL('../../dist/authorizer.js', import.meta.url).pathname,
      env: { auth_token: 'runtime-check-token-0123' },
    });
    try {
      expect(fn.pid).toBeGreaterThan(0);
      const answer = await fn.invoke({
        intent: 'invoke',
        method: 'POST',
        url: '/',
        body: JSON.stringify({ type: 'TOKEN', token: 'runtime-check-token-0123' }),
      });
      expect(JSON.parse(answer.body.toString('utf8'))).toMatchObject({ active: true });
    } finally {
      await fn.stop();
    }
    expect(Number(spawned.slice(1).split('.')[0])).toBeGreaterThanOrEqual(20);
  });
});
