import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `sms-incident` CLI as an SRE would, with only `env` (and PATH) set, in `cwd`; never rejects, returns the exit code. */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string } = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
