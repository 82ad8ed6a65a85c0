import type { RunRecord, StepEntry } from '../journal/index.js';
import { duration, oneLine, table, time } from './format.js';
import { runView, type CleanupItem } from './run-view.js';

export interface ShowContext {
  /** `b2cservice_hostname` and `b2cservice_api_version`, when the environment has them: the clean-up commands name the site. */
  readonly site?: string;
  /** An APM trace link with `{traceId}` in it (`SMS_INCIDENT_TRACE_URL`). */
  readonly traceUrl?: string;
  /** The `--journal` the command was given, repeated in the commands it prints. */
  readonly journal?: string;
}

/** One screen: what happened, where it failed, why, after how many attempts, and where to look next. */
export function formatShow(record: RunRecord, now = Date.now(), context: ShowContext = {}): string {
  const v = runView(record);
  const journalFlag = context.journal ? ` --journal ${context.journal}` : '';
  const link = (traceId: string) => (context.traceUrl ? `  ${context.traceUrl.replaceAll('{traceId}', traceId)}` : '');
  const lines: string[] = [];
  const undo = v.compensation === undefined || v.compensation === 'none' ? '' : `  (compensation ${v.compensation})`;
  lines.push(`run       ${v.runId}  ${record.workflow}  ${v.status.toUpperCase()}${undo}`);
  lines.push(
    `message   ${v.provider} ${v.messageId}${v.from ? `  from ${v.from}` : ''}${record.idempotencyToken ? `  idempotency token ${record.idempotencyToken}` : ''}`,
  );
  lines.push(
    `started   ${time(v.startedAt)}${v.finishedAt ? `   finished ${time(v.finishedAt)} (${duration(v.durationMs)})` : ''}   executions ${v.executions}   duplicates ${v.duplicates}`,
  );
  if (v.leaseOwner !== undefined && v.leaseExpiresAt !== undefined) {
    lines.push(
      `lease     ${v.leaseOwner}, ${v.leaseExpiresAt > now ? `expires in ${duration(v.leaseExpiresAt - now)}` : `expired ${duration(now - v.leaseExpiresAt)} ago: the next delivery resumes it`}`,
    );
  }
  const traces = v.traces ?? [];
  if (traces.length > 1) {
    for (const [i, t] of traces.entries()) {
      lines.push(
        `${i === 0 ? 'traces' : ''.padEnd(6)}    ${t.traceId}  execution ${i + 1} (${t.event} ${time(t.at).slice(11, 19)})${link(t.traceId)}`,
      );
    }
  } else {
    lines.push(`trace     ${v.traceId ?? '- (not recorded)'}${v.traceId ? link(v.traceId) : ''}`);
  }
  const contact =
    v.contactId === undefined
      ? 'contact -'
      : `contact ${v.contactId}${v.contactCreated ? ' (created by this run)' : ' (existing)'}`;
  const incident =
    v.incidentId === undefined
      ? 'incident -'
      : `incident ${v.incidentId}${v.referenceNumber ? ` ${v.referenceNumber}` : ''}`;
  const undone = record.steps.filter((s) => s.compensated !== undefined).map((s) => `${s.name} undo ${undoWord(s)}`);
  lines.push(`b2c       ${contact}   ${incident}${undone.length ? `   [${undone.join(', ')}]` : ''}`);
  if (v.step !== undefined && v.error !== undefined) {
    lines.push(
      `FAILED    ${v.step} after ${v.attempts ?? 0} attempt${v.attempts === 1 ? '' : 's'}: ${v.error.type}: ${oneLine(v.error.message)} (${v.error.retryable ? 'retryable' : 'permanent'})`,
    );
  }
  const left = (v.cleanup ?? []).filter((c) => c.state === 'left');
  if (v.cleanup !== undefined) {
    lines.push('', 'clean-up  what this run created in B2C Service, and what its undo did');
    for (const c of v.cleanup) lines.push(`  ${cleanupLine(c)}`);
  }
  const kept = (v.cleanup ?? []).filter((c) => c.state === 'kept');
  // A kept contact is the sender's: the redrive finds it again (by its number, or by this run's marker).
  const keptNote = kept.map(
    (c) =>
      `          (${c.kind} ${c.id} stays: the redrive uses it again; delete it by hand only if this SMS is given up)`,
  );
  if (left.length > 0) {
    lines.push('', 'next      1. delete what is LEFT (agent console, or the REST call the undo made):');
    for (const c of left)
      lines.push(
        `             curl -X DELETE -u "$B2C_USER:$B2C_PASSWORD" -H 'OSvC-CREST-Application-Context: sms-incident' ${context.site ?? '<site>/services/rest/connect/<version>'}/${c.kind}s/${c.id}`,
      );
    lines.push(
      `          2. sms-incident runs redrive ${v.runId} --force${journalFlag}   (the SMS becomes an incident after all)`,
    );
    lines.push(...keptNote);
  } else if (record.status === 'failed') {
    if (v.cleanup !== undefined) lines.push('');
    lines.push(`next      sms-incident runs redrive ${v.runId}${journalFlag}`);
    lines.push(...keptNote);
  }
  lines.push('', 'steps');
  lines.push(indent(table(['STEP', 'OUTCOME', 'ATTEMPTS', 'DURATION', 'RESULT'], record.steps.map(stepRow))));
  const attempts = record.steps.flatMap((s) =>
    s.attempts.filter((a) => a.outcome === 'failed').map((a) => ({ step: s.name, ...a })),
  );
  if (attempts.length > 0) {
    lines.push('', 'failed attempts');
    lines.push(
      indent(
        table(
          ['STEP', '#', 'AT (UTC)', 'TOOK', 'ERROR', 'BACKOFF'],
          attempts.map((a) => [
            a.step,
            String(a.attempt),
            time(a.startedAt).slice(11, 23),
            duration(a.durationMs),
            a.error ? `${a.error.type}: ${oneLine(a.error.message, 100)}` : '-',
            a.backoffMs === undefined ? '-' : duration(a.backoffMs),
          ]),
        ),
      ),
    );
  }
  lines.push('', 'history');
  lines.push(
    indent(
      record.history
        .map((h) =>
          `${time(h.at).slice(11, 23)}  ${h.event.padEnd(9)}  ${h.owner ?? ''}${h.detail ? `  ${h.detail}` : ''}${h.traceId ? `  trace ${h.traceId}` : ''}`.trimEnd(),
        )
        .join('\n'),
    ),
  );
  return lines.join('\n');
}

function cleanupLine(c: CleanupItem): string {
  const what = `${`${c.kind} ${c.id}${c.referenceNumber ? ` ${c.referenceNumber}` : ''}`.padEnd(28)}  `;
  switch (c.state) {
    case 'deleted':
      return `${what}deleted by the undo of ${c.step}`;
    case 'kept':
      return `${what}kept by the undo of ${c.step}${c.reason ? `: ${c.reason}` : ''}`;
    case 'already-gone':
      return `${what}already gone when the undo of ${c.step} ran`;
    case 'undone':
      return `${what}undone by ${c.step}'s undo (an older record: what the undo did was not kept; look in B2C Service)`;
    case 'left': {
      const why = c.undoError ? `: ${c.undoError.type}: ${oneLine(c.undoError.message, 90)}` : '';
      return `${what}LEFT: the undo of ${c.step} failed after ${c.undoAttempts} attempt${c.undoAttempts === 1 ? '' : 's'}${why}`;
    }
  }
}

function stepRow(s: StepEntry): string[] {
  const result =
    s.outcome === 'failed' && s.error
      ? `${s.error.type}: ${oneLine(s.error.message, 80)}`
      : s.output && Object.keys(s.output).length > 0
        ? Object.entries(s.output)
            .map(([k, val]) => `${k}=${String(val)}`)
            .join(' ')
        : '-';
  return [
    s.name,
    s.outcome + (s.compensated ? ` (undo ${undoWord(s)})` : ''),
    String(s.attempts.length),
    duration(s.durationMs),
    result,
  ];
}

/** What a step's undo did, in a word: failed, deleted, kept, already-gone (undone, for an older record). */
function undoWord(s: StepEntry): string {
  return s.compensated === 'failed' ? 'failed' : (s.undo?.effect ?? 'undone');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
