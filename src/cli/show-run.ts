import type { RunRecord, StepEntry } from '../journal/index.js';
import { duration, oneLine, table, time } from './format.js';
import { runView } from './run-view.js';

/** One screen: what happened, where it failed, why, after how many attempts, and where to look next. */
export function formatShow(record: RunRecord, now = Date.now()): string {
  const v = runView(record);
  const lines: string[] = [];
  const undo = v.compensation === undefined || v.compensation === 'none' ? '' : `  (compensation ${v.compensation})`;
  lines.push(`run       ${v.runId}  ${record.workflow}  ${v.status.toUpperCase()}${undo}`);
  lines.push(`message   ${v.provider} ${v.messageId}${v.from ? `  from ${v.from}` : ''}${record.idempotencyToken ? `  idempotency token ${record.idempotencyToken}` : ''}`);
  lines.push(`started   ${time(v.startedAt)}${v.finishedAt ? `   finished ${time(v.finishedAt)} (${duration(v.durationMs)})` : ''}   executions ${v.executions}   duplicates ${v.duplicates}`);
  if (v.leaseOwner !== undefined && v.leaseExpiresAt !== undefined) {
    lines.push(`lease     ${v.leaseOwner}, ${v.leaseExpiresAt > now ? `expires in ${duration(v.leaseExpiresAt - now)}` : `expired ${duration(now - v.leaseExpiresAt)} ago: the next delivery resumes it`}`);
  }
  lines.push(`trace     ${v.traceId ?? '- (not recorded)'}`);
  const contact = v.contactId === undefined ? 'contact -' : `contact ${v.contactId}${v.contactCreated ? ' (created by this run)' : ' (existing)'}`;
  const incident = v.incidentId === undefined ? 'incident -' : `incident ${v.incidentId}${v.referenceNumber ? ` ${v.referenceNumber}` : ''}`;
  const undone = record.steps.filter((s) => s.compensated !== undefined).map((s) => `${s.name} undo ${s.compensated}`);
  lines.push(`b2c       ${contact}   ${incident}${undone.length ? `   [${undone.join(', ')}]` : ''}`);
  if (v.step !== undefined && v.error !== undefined) {
    lines.push(`FAILED    ${v.step} after ${v.attempts ?? 0} attempt${v.attempts === 1 ? '' : 's'}: ${v.error.type}: ${oneLine(v.error.message)} (${v.error.retryable ? 'retryable' : 'permanent'})`);
  }
  if (record.status === 'failed') {
    lines.push(v.compensation === 'failed'
      ? `next      compensation failed: check the B2C ids above by hand, then: sms-incident runs redrive ${v.runId} --force`
      : `next      sms-incident runs redrive ${v.runId}`);
  }
  lines.push('', 'steps');
  lines.push(indent(table(['STEP', 'OUTCOME', 'ATTEMPTS', 'DURATION', 'RESULT'], record.steps.map(stepRow))));
  const attempts = record.steps.flatMap((s) => s.attempts.filter((a) => a.outcome === 'failed').map((a) => ({ step: s.name, ...a })));
  if (attempts.length > 0) {
    lines.push('', 'failed attempts');
    lines.push(indent(table(['STEP', '#', 'AT (UTC)', 'TOOK', 'ERROR', 'BACKOFF'], attempts.map((a) => [
      a.step, String(a.attempt), time(a.startedAt).slice(11, 23), duration(a.durationMs), a.error ? `${a.error.type}: ${oneLine(a.error.message, 100)}` : '-', a.backoffMs === undefined ? '-' : duration(a.backoffMs),
    ]))));
  }
  lines.push('', 'history');
  lines.push(indent(record.history.map((h) => `${time(h.at).slice(11, 23)}  ${h.event.padEnd(9)}  ${h.owner ?? ''}${h.detail ? `  ${h.detail}` : ''}`.trimEnd()).join('\n')));
  return lines.join('\n');
}

function stepRow(s: StepEntry): string[] {
  const result = s.outcome === 'failed' && s.error ? `${s.error.type}: ${oneLine(s.error.message, 80)}` : s.output && Object.keys(s.output).length > 0 ? Object.entries(s.output).map(([k, val]) => `${k}=${String(val)}`).join(' ') : '-';
  return [s.name, s.outcome + (s.compensated ? ` (undo ${s.compensated})` : ''), String(s.attempts.length), duration(s.durationMs), result];
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
