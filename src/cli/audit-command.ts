import { ConfigError, loadConfig } from '../config.js';
import { auditDesk, auditRuns, type AuditReport } from '../function/audit.js';
import type { RunJournal } from '../journal/index.js';
import { DEFAULT_WINDOW_MS } from './list-runs.js';
import { RedriveRefused } from './redrive-run.js';

/**
 * `runs audit [--since 24h] [--fix]`: B2C Service read for the runs of the window; what the
 * function made that it should not have. Needs the function's `b2cservice_*` keys, as a redrive.
 */
export async function auditNow(
  journal: RunJournal,
  options: { env: Record<string, string | undefined>; since?: number; fix: boolean },
): Promise<AuditReport> {
  let config;
  try {
    config = loadConfig(options.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new RedriveRefused(
      `audit reads B2C Service and needs the function's config in the environment (${[...new Set(error.problems.map((p) => p.key))].join(', ')})`,
    );
  }
  return auditRuns(journal, auditDesk(config), {
    since: options.since ?? Date.now() - DEFAULT_WINDOW_MS,
    fix: options.fix,
    ...(config.b2c.b2cservice_incident_sms_field === undefined
      ? {}
      : { incidentSmsField: config.b2c.b2cservice_incident_sms_field }),
  });
}

export function formatAudit(report: AuditReport): string {
  const lines = report.findings.map((f) => {
    const done = f.fixed
      ? `  FIXED: ${f.fixed}`
      : f.fixError
        ? `  fix failed: ${f.fixError}`
        : f.ours
          ? ''
          : '  (not provably ours: left alone)';
    return `${f.kind.padEnd(18)}  ${(f.kind === 'phoneless-contact' ? 'contact ' : 'incident ') + String(f.id)}  run ${f.runId}  ${f.key}  ${f.detail}${done}`;
  });
  for (const e of report.errors) lines.push(`error               run ${e.runId}: ${e.error} (audit again)`);
  const open = report.findings.filter((f) => f.fixed === undefined).length;
  lines.push(
    `${report.runs} runs since ${new Date(report.since).toISOString()}: ${report.findings.length === 0 ? 'nothing found' : `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}, ${open} left`}${report.unreadable > 0 ? `; ${report.unreadable} runs unreadable` : ''}`,
  );
  return lines.join('\n');
}
