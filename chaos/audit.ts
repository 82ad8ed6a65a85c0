/**
 * The soak's last look: `sms-incident runs audit --since 24h --json` (the SRE's net for what
 * slips through, src/cli/) run from the built CLI against the soak's journal and site, with the
 * function's own config. A build without the audit says so and adds nothing to the verdict.
 */
import { execFile } from 'node:child_process';
import { z } from 'zod';

const AuditJson = z.object({
  runs: z.number(),
  findings: z.array(
    z.object({ kind: z.string(), runId: z.string(), id: z.number(), ours: z.boolean(), detail: z.string() }),
  ),
  errors: z.array(z.object({ runId: z.string(), error: z.string() })),
  unreadable: z.number(),
});

export type AuditResult =
  | { readonly available: false; readonly reason: string }
  | {
      readonly available: true;
      readonly runs: number;
      readonly findings: number;
      readonly errors: number;
      readonly lines: string[];
    };

export async function auditSoak(cli: string, env: Record<string, string>): Promise<AuditResult> {
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cli, 'runs', 'audit', '--since', '24h', '--json'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 600_000,
      },
      (error, out, err) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout: out,
          stderr: err,
        }),
    );
  });
  let parsed: z.infer<typeof AuditJson>;
  try {
    parsed = AuditJson.parse(JSON.parse(stdout));
  } catch {
    // No JSON report: a build without `runs audit` (usage error) or an audit that could not start.
    const reason = `${stderr || stdout}`.trim().split('\n')[0] ?? '';
    return { available: false, reason: `exit ${code}: ${reason.slice(0, 200)}` };
  }
  return {
    available: true,
    runs: parsed.runs,
    findings: parsed.findings.length,
    errors: parsed.errors.length + parsed.unreadable,
    lines: [
      ...parsed.findings.map(
        (f) => `${f.kind} ${f.id} run ${f.runId}${f.ours ? '' : ' (not provably ours)'}: ${f.detail}`,
      ),
      ...parsed.errors.map((e) => `error run ${e.runId}: ${e.error}`),
    ],
  };
}
