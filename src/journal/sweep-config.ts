import { z } from 'zod';

/**
 * The sweeper's section of the function config: how runs nobody will redeliver (Twilio retries
 * nothing) are finished without a person. Read by the sweeper function (`function_role=sweeper`),
 * `npm start`'s timer and `sms-incident runs sweep`.
 */
export const sweepConfigShape = {
  /**
   * What this function is: `webhook` answers the provider's POSTs; `sweeper` ignores its request
   * body and finishes the journal's failed and cut-off runs. Set by whoever deploys the function
   * (function config), never by a caller. @default 'webhook'
   */
  function_role: z.enum(['webhook', 'sweeper']).default('webhook'),
  /** A run still unfinished this long after it started is given up: the failed-run alarm pages. @default 86400000 (24 h) */
  sweep_give_up_after_ms: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(30 * 86_400_000)
    .default(86_400_000),
  /** Wait before a run's first sweep after its last execution; doubled per execution. @default 30000 */
  sweep_backoff_initial_ms: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** The longest wait between two sweeps of one run: bounds how long after B2C recovers a run is finished. @default 180000 */
  sweep_backoff_max_ms: z.coerce.number().int().min(0).max(86_400_000).default(180_000),
  /**
   * Runs one sweep runs at most (longest due first); the rest wait for the next sweep. The sweep's
   * own deadline bounds it too: no run is started that could not end before it. @default 1000
   */
  sweep_max_runs: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /**
   * Runs a sweep has under way at once, once one of its runs has completed (before that, one at a
   * time: the site may still be down). A backlog left by an outage drains this many times faster
   * (a restarted run spends most of its time waiting out the search lag, not loading the site);
   * each run is one delivery's load on B2C Service. @default 16
   */
  sweep_concurrency: z.coerce.number().int().min(1).max(64).default(16),
  /** The budget of one run within a sweep (its deadline, as a delivery's Fn-Deadline). @default 25000 */
  sweep_run_budget_ms: z.coerce.number().int().min(1_000).max(300_000).default(25_000),
  /**
   * How long after a run that abandoned a B2C write in flight started, the sweeper still looks for that write
   * landing late (a second incident, a contact without a phone) and removes what is provably the run's; 0: never.
   * @default 3600000 (1 h)
   */
  sweep_watch_ms: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000)
    .default(3_600_000),
} as const;

const SweepConfigSchema = z.object(sweepConfigShape);
export type SweepConfig = z.infer<typeof SweepConfigSchema>;

/** The role alone, read per container before anything else (a bad value: undefined, the handler answers 500 later). */
export function peekFunctionRole(env: Record<string, string | undefined>): 'webhook' | 'sweeper' | undefined {
  const parsed = sweepConfigShape.function_role.safeParse(env.function_role);
  return parsed.success ? parsed.data : undefined;
}
