/**
 * The sweeper as it is deployed (deploy/terraform/sweeper.tf, `npm start`'s timer): the same
 * function with `function_role=sweeper`, invoked directly (not through the gateway) on a fixed
 * schedule with an empty body. Each pass finishes the journal's failed and cut-off runs.
 */
import { startFunction, type FnProcess } from '../src/local/index.js';
import { imageEntry } from '../bench/image-entry.js';

export interface SweepCounts {
  passes: number;
  /** Passes that stopped taking runs: 3 failed in a row on a site still down. */
  siteDown: number;
  /** The sweeper's answers, by status. */
  answers: Map<string, number>;
  /** Runs the passes took up, by outcome. */
  runs: Map<string, number>;
}

export interface Sweeper {
  readonly counts: SweepCounts;
  /** Stops the timer, waits for a pass under way, stops the process. */
  stop(): Promise<void>;
}

export interface SweeperOptions {
  readonly entry: string;
  /** The webhook function's config: `function_role=sweeper` is added. */
  readonly env: Record<string, string>;
  readonly everyMs: number;
  /** The sweeper's own timeout (func.yaml of the sweeper). */
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

const bump = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

export function startSweeper(options: SweeperOptions): Sweeper {
  const counts: SweepCounts = { passes: 0, siteDown: 0, answers: new Map(), runs: new Map() };
  let process: FnProcess | undefined;
  let exited = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();

  const sweepOnce = async (): Promise<void> => {
    if (process === undefined || exited) {
      process = await startFunction({
        entry: options.entry,
        nodeArgs: imageEntry('function').nodeArgs,
        env: { ...options.env, function_role: 'sweeper' },
        timeoutMs: options.timeoutMs,
      });
      exited = false;
      void process.exited.then(() => {
        exited = true;
      });
    }
    const answer = await process.invoke({ intent: 'invoke', method: 'POST', url: '/', body: '' });
    counts.passes++;
    bump(counts.answers, String(answer.status));
    if (answer.status !== 200)
      options.log(`sweeper answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}`);
    try {
      const report = JSON.parse(answer.body.toString('utf8')) as { runs?: { outcome?: unknown }[]; siteDown?: unknown };
      for (const run of report.runs ?? []) bump(counts.runs, String(run.outcome));
      if (report.siteDown === true) counts.siteDown++;
    } catch {
      // counted by status alone
    }
  };
  const tick = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      pass = sweepOnce()
        .catch((error: unknown) =>
          options.log(`sweep failed: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(tick);
    }, options.everyMs);
  };
  if (options.everyMs > 0) tick();

  return {
    counts,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await pass;
      await process?.stop();
    },
  };
}
