/**
 * `npm run chaos -- [--messages 1000] [--seed 1] [--deadline-ms 30000] [--journal file|oci-os]
 *   [--journal-fault-rate 0.05] [--b2c-fault-rate 0.045] [--concurrency 16] [--kill-every 20]`
 * Prints the soak's table; exits 1 on any breach.
 */
import { parseArgs } from 'node:util';
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
    ['final answers (faults off), by status', byStatus(report.finalAnswers)],
    ...Object.entries(report.breaches).map(([k, v]) => [`**${k}**`, String(v)] as [string, string]),
    ['incidents / contacts on the site', `${report.facts.incidents} / ${report.facts.contacts}`],
    [
      'new numbers with 2 contacts (first messages raced)',
      String(report.facts['new numbers with 2 contacts (first messages raced)']),
    ],
    ['duration', `${report.seconds} s`],
  ];
  const head = `seed ${o.seed}, ${o.messages} messages, deadline ${o.deadlineMs / 1000} s, journal ${o.journal}${o.journal === 'oci-os' ? ` (${o.journalFaultRate * 100} % faults)` : ''}`;
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
    .map(([k, v]) => `${k === '0' ? 'no answer' : k}×${v}`)
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
    },
  });
  const num = (key: keyof typeof values): number => {
    const n = Number(values[key]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} must be a number ≥ 0`);
    return n;
  };
  const journal = values.journal;
  if (journal !== 'file' && journal !== 'oci-os') throw new Error('--journal must be file or oci-os');
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
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseSoakArgs(process.argv.slice(2));
  const report = await soak({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${table(report)}\n`);
  process.exit(breached(report) ? 1 : 0);
}
