/**
 * `npm run chaos -- [--messages 1000] [--seed 1] [--deadline-ms 30000] [--journal file|oci-os]
 *   [--journal-fault-rate 0.05] [--b2c-fault-rate 0.045] [--concurrency 16] [--kill-every 20]
 *   [--site ideal|realistic] [--containers 2] [--twilio-patience-ms 15000] [--sweep-every-ms 60000] [--settle-ms 600000]`
 * `npm run chaos -- --outage 10m [--duration 20m] [--time-scale 1] [--recovery-bound 5m] [--rate 1]
 *   [--sweep-every 60s] [--containers 4] [--deadline-ms 30000] [--seed 1]`: the outage drill (chaos/outage.ts).
 * Prints the soak's (or the drill's) table; exits 1 on any breach.
 */
import { parseArgs } from 'node:util';
import { DRILL_DEFAULTS, outageDrill, type DrillOptions, type DrillReport } from './outage.js';
import { soak, type SoakOptions, type SoakReport } from './soak.js';

export function table(report: SoakReport): string {
  const o = report.options;
  const rows: [string, string][] = [
    ['messages', String(report.facts.messages)],
    ['deliveries (redeliveries and duplicates included)', String(report.deliveries)],
    [
      'B2C requests faulted',
      `${sum(report.b2cFaults)} (${[...report.b2cFaults].map(([k, v]) => `${k} ${v}`).join(', ')})`,
    ],
    ...(o.journal === 'oci-os'
      ? [
          [
            'journal requests faulted',
            `${sum(report.journalFaults)} (${[...report.journalFaults].map(([k, v]) => `${k} ${v}`).join(', ')})`,
          ] as [string, string],
        ]
      : []),
    ['processes SIGKILLed (and restarted)', String(report.kills)],
    ['answers while faults were on, by status', byStatus(report.answers)],
    ...(report.twilio === undefined
      ? [['final answers (faults off), by status', byStatus(report.finalAnswers)] as [string, string]]
      : [
          [
            'Twilio-like messages: primary failed, by status',
            `${sum(report.twilio.primaryFailed)} of ${report.twilio.messages} (${byStatus(report.twilio.primaryFailed)})`,
          ] as [string, string],
          [
            'Twilio-like fallbacks, by status',
            `${sum(report.twilio.fallbacks)} (${byStatus(report.twilio.fallbacks)})`,
          ] as [string, string],
          [
            'sweeper passes (answers); runs taken up, by outcome',
            `${report.sweeps?.passes ?? 0} (${byStatus(report.sweeps?.answers ?? new Map())}); ${sum(report.sweeps?.runs ?? new Map())} (${[...(report.sweeps?.runs ?? new Map())].map(([k, v]) => `${k} ${v}`).join(', ')})`,
          ] as [string, string],
          ['final deliveries (faults off)', 'none: the sweeper alone'] as [string, string],
          [
            'site held the promise, after the faults stopped',
            report.settledAfterS === undefined
              ? `not within ${(o.settleMs ?? 600_000) / 1000} s`
              : `${report.settledAfterS} s`,
          ] as [string, string],
        ]),
    ...Object.entries(report.breaches).map(([k, v]) => [`**${k}**`, String(v)] as [string, string]),
    ...(report.audit.available
      ? []
      : [['runs audit', `not run (${report.audit.reason.replace(/\|/g, '/')})`] as [string, string]]),
    ['incidents / contacts on the site', `${report.facts.incidents} / ${report.facts.contacts}`],
    [
      'new numbers with 2 contacts (first messages raced)',
      String(report.facts['new numbers with 2 contacts (first messages raced)']),
    ],
    ['duration', `${report.seconds} s`],
  ];
  const site =
    o.site === 'realistic'
      ? `, realistic site (Twilio patience ${(o.twilioPatienceMs ?? 15_000) / 1000} s, sweep every ${(o.sweepEveryMs ?? 60_000) / 1000} s, ${o.containers ?? 2} containers)`
      : '';
  const head = `seed ${o.seed}, ${o.messages} messages, deadline ${o.deadlineMs / 1000} s, journal ${o.journal}${o.journal === 'oci-os' ? ` (${o.journalFaultRate * 100} % faults)` : ''}${site}`;
  return [`${head}`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

export function breached(report: SoakReport): boolean {
  return Object.values(report.breaches).some((v) => v > 0);
}

function sum(counts: Map<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

function byStatus(counts: Map<string, number>): string {
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k === '0' ? 'no answer' : k === 'timeout' ? 'no answer in time' : k}×${v}`)
    .join(' ');
}

export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      messages: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      'deadline-ms': { type: 'string', default: '30000' },
      journal: { type: 'string', default: 'file' },
      'journal-fault-rate': { type: 'string', default: '0.05' },
      'b2c-fault-rate': { type: 'string', default: '0.045' },
      concurrency: { type: 'string', default: '16' },
      'kill-every': { type: 'string', default: '20' },
      'lease-margin-ms': { type: 'string', default: '2000' },
      'late-write-window-ms': { type: 'string', default: '10000' },
      site: { type: 'string', default: 'ideal' },
      containers: { type: 'string', default: '2' },
      'twilio-patience-ms': { type: 'string', default: '15000' },
      'sweep-every-ms': { type: 'string', default: '60000' },
      'settle-ms': { type: 'string', default: '600000' },
    },
  });
  const num = (key: keyof typeof values): number => {
    const n = Number(values[key]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} must be a number ≥ 0`);
    return n;
  };
  const journal = values.journal;
  if (journal !== 'file' && journal !== 'oci-os') throw new Error('--journal must be file or oci-os');
  const site = values.site;
  if (site !== 'ideal' && site !== 'realistic') throw new Error('--site must be ideal or realistic');
  return {
    messages: num('messages'),
    seed: num('seed'),
    deadlineMs: num('deadline-ms'),
    journal,
    journalFaultRate: num('journal-fault-rate'),
    b2cFaultRate: num('b2c-fault-rate'),
    concurrency: Math.max(1, num('concurrency')),
    killEverySeconds: num('kill-every'),
    leaseMarginMs: num('lease-margin-ms'),
    lateWriteWindowMs: num('late-write-window-ms'),
    site,
    containers: Math.max(1, num('containers')),
    twilioPatienceMs: num('twilio-patience-ms'),
    sweepEveryMs: num('sweep-every-ms'),
    settleMs: num('settle-ms'),
  };
}

/** `10m`, `90s`, `1500ms` or plain milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new Error(`--${flag} must be a duration such as 10m, 90s or 1500ms`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'];
  return Math.round(Number(match[1]) * unit!);
}

export function parseDrillArgs(argv: readonly string[]): DrillOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    options: {
      outage: { type: 'string' },
      duration: { type: 'string', default: '20m' },
      'time-scale': { type: 'string', default: '1' },
      'recovery-bound': { type: 'string', default: '5m' },
      rate: { type: 'string', default: '1' },
      'sweep-every': { type: 'string', default: '60s' },
      containers: { type: 'string', default: String(DRILL_DEFAULTS.containers) },
      'deadline-ms': { type: 'string', default: String(DRILL_DEFAULTS.deadlineMs) },
      seed: { type: 'string', default: '1' },
    },
  });
  if (typeof values.outage !== 'string') return undefined;
  const text = (key: string): string => String(values[key]);
  const positive = (key: string): number => {
    const n = Number(text(key));
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${key} must be a number > 0`);
    return n;
  };
  const options: DrillOptions = {
    outageMs: parseDuration(values.outage, 'outage'),
    durationMs: parseDuration(text('duration'), 'duration'),
    timeScale: positive('time-scale'),
    recoveryBoundMs: parseDuration(text('recovery-bound'), 'recovery-bound'),
    ratePerSecond: positive('rate'),
    sweepEveryMs: parseDuration(text('sweep-every'), 'sweep-every'),
    containers: Math.round(positive('containers')),
    deadlineMs: positive('deadline-ms'),
    seed: positive('seed'),
  };
  if (options.outageMs >= options.durationMs) throw new Error('--outage must be shorter than --duration');
  return options;
}

export function drillTable(report: DrillReport): string {
  const o = report.options;
  const minutes = (ms: number): string => `${Math.round(ms / 6_000) / 10} min`;
  const scaled =
    o.timeScale === 1
      ? 'real time'
      : `time compressed ${o.timeScale}× (drill and sweeper times; the function's own times real)`;
  const rows: [string, string][] = [
    [
      'messages sent (before / during / after the outage)',
      `${report.facts.messages} (${report.sent.before} / ${report.sent.during} / ${report.sent.after})`,
    ],
    [
      'primary requests failed → fallbacks, by status',
      `${sum(report.primaryFailed)} (${byStatus(report.primaryFailed)}) → ${byStatus(report.fallbacks)}`,
    ],
    [
      'sweeper passes (answers; stopped on a site still down); runs taken up, by outcome',
      `${report.sweeps.passes} (${byStatus(report.sweeps.answers)}; ${report.sweeps.siteDown}); ${sum(report.sweeps.runs)} (${[...report.sweeps.runs].map(([k, v]) => `${k} ${v}`).join(', ')})`,
    ],
    [
      `every message sent by recovery one incident with one note, after recovery (bound ${minutes(o.recoveryBoundMs)})`,
      report.completeAfterS === undefined
        ? '**not within the bound**'
        : `${report.completeAfterS} s real = ${minutes(report.completeAfterS * 1000 * o.timeScale)} simulated`,
    ],
    ...Object.entries(report.breaches).map(([k, v]) => [`**${k}**`, String(v)] as [string, string]),
    ['incidents / contacts on the site', `${report.facts.incidents} / ${report.facts.contacts}`],
    ['duration', `${report.seconds} s`],
  ];
  const head = `outage drill: B2C 503 for ${minutes(o.outageMs)} of ${minutes(o.durationMs)}, ${o.ratePerSecond} message/s through the Twilio-like provider, sweeper every ${minutes(o.sweepEveryMs)}, ${scaled}, seed ${o.seed}`;
  return [head, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

export function drillFailed(report: DrillReport): boolean {
  return report.completeAfterS === undefined || Object.values(report.breaches).some((v) => v > 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const drill = parseDrillArgs(process.argv.slice(2));
  if (drill !== undefined) {
    const report = await outageDrill({ ...drill, log });
    process.stdout.write(`${drillTable(report)}\n`);
    process.exit(drillFailed(report) ? 1 : 0);
  }
  const options = parseSoakArgs(process.argv.slice(2));
  const report = await soak({ ...options, log });
  process.stdout.write(`${table(report)}\n`);
  process.exit(breached(report) ? 1 : 0);
}
