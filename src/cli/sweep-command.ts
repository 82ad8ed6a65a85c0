import { z } from 'zod';
import { B2cConfigShape } from '../b2c/config.js';
import { ConfigError, loadConfig } from '../config.js';
import { assembleSmsService, type SmsService } from '../function/sms-service.js';
import { sweepRuns, type SweepReport } from '../function/sweep.js';
import { sweepConfigShape } from '../journal/sweep-config.js';
import type { RunJournal } from '../journal/index.js';
import { createLogger } from '../log/logger.js';
import { RedriveRefused } from './redrive-run.js';

/** How long a sweep from the CLI may take: nobody waits on a webhook. */
const CLI_SWEEP_BUDGET_MS = 10 * 60_000;

const PolicyKeys = z.object({
  ...sweepConfigShape,
  b2cservice_late_write_window_ms: B2cConfigShape.b2cservice_late_write_window_ms,
});

/**
 * `runs sweep [--dry-run]`: the sweeper's pass, here and now, through the function's own service
 * (the same claim, leases, workflow and answer as a delivery), with the function's config keys from
 * the environment. What the scheduled sweeper does every few minutes; safe beside it.
 */
export async function sweepNow(
  journal: RunJournal,
  options: { env: Record<string, string | undefined>; dryRun: boolean; now?: () => number },
): Promise<SweepReport> {
  const keys = PolicyKeys.safeParse(options.env);
  if (!keys.success)
    throw new RedriveRefused(`sweep: ${keys.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const k = keys.data;
  let service: SmsService = { accept: () => Promise.reject(new Error('a dry run runs nothing')) };
  if (!options.dryRun) {
    try {
      service = assembleSmsService(loadConfig(options.env), { env: options.env, journal });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new RedriveRefused(
        `sweep runs the workflow here and needs the function's config in the environment (${[...new Set(error.problems.map((p) => p.key))].join(', ')}); or pass --dry-run`,
      );
    }
  }
  const now = options.now ?? Date.now;
  return sweepRuns(journal, service, {
    policy: {
      giveUpAfterMs: k.sweep_give_up_after_ms,
      backoffInitialMs: k.sweep_backoff_initial_ms,
      backoffMaxMs: k.sweep_backoff_max_ms,
      lateWriteWindowMs: k.b2cservice_late_write_window_ms,
    },
    maxRuns: k.sweep_max_runs,
    concurrency: k.sweep_concurrency,
    runBudgetMs: k.sweep_run_budget_ms,
    deadline: now() + CLI_SWEEP_BUDGET_MS,
    dryRun: options.dryRun,
    now,
    // The function's run log lines would drown the table: only warnings and errors.
    log: createLogger({ level: 'warn', write: (line) => process.stderr.write(`${line}\n`) }),
  });
}

/** One line per run, then what was left and why. */
export function formatSweep(report: SweepReport, dryRun: boolean): string {
  const lines = report.runs.map(
    (r) =>
      `${r.runId}  ${r.key}  ${r.mode}  ${dryRun && r.outcome === 'due' ? 'would run' : r.outcome}${r.detail ? `  (${r.detail})` : ''}`,
  );
  const tail = [
    `${report.considered} runs read`,
    `${report.waiting} waiting for their back-off`,
    `${report.deferred} left for the next sweep`,
    `${report.givenUp} given up earlier (runs list --status failed)`,
  ];
  if (report.unreadable > 0) tail.push(`${report.unreadable} unreadable`);
  return [...(lines.length === 0 ? ['nothing due'] : lines), tail.join(', ')].join('\n');
}
