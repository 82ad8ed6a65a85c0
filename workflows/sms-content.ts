import type { InboundSms } from '../src/inbound/index.js';

/** B2C Service's limit on an incident subject. */
export const SUBJECT_MAX = 240;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Control characters (C0, DEL, C1, line/paragraph separators) become spaces in a one-line subject. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * The incident subject: the SMS text on one line, cut to 240 UTF-16 units on a grapheme
 * boundary (an emoji or accented letter is never split), with `…` when cut.
 */
export function incidentSubject(sms: InboundSms): string {
  const line = sms.text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (line === '') return `SMS from ${sms.from}`;
  if (line.length <= SUBJECT_MAX) return line;
  let cut = '';
  for (const { segment } of segmenter.segment(line)) {
    if (cut.length + segment.length > SUBJECT_MAX - 1) break;
    cut += segment;
  }
  return `${cut.trimEnd()}…`;
}

/** The private note that keeps the whole message and where it came from. */
export function smsNote(sms: InboundSms): string {
  const lines = [
    `Inbound SMS via ${sms.provider}`,
    `From: ${sms.from}`,
    `To: ${sms.to ?? 'unknown'}`,
    `Message ID: ${sms.messageId}`,
    `Received: ${sms.receivedAt ?? 'unknown'}`,
    ...sms.media.map((m, i) => `Media ${i + 1}: ${m.url}${m.contentType ? ` (${m.contentType})` : ''}`),
    // The provider's own fields (text and signature left out), to trace the message at the provider.
    ...(sms.raw && Object.keys(sms.raw).length > 0
      ? ['Provider fields:', ...Object.entries(sms.raw).map(([k, v]) => `  ${k}: ${v}`)]
      : []),
    '',
    sms.text,
  ];
  return lines.join('\n');
}

/** The message id a note made by {@link smsNote} names; undefined for any other text (an agent's reply). */
export function noteMessageId(text: string): string | undefined {
  if (!text.startsWith('Inbound SMS via ')) return undefined;
  return /^Message ID: (.*)$/m.exec(text)?.[1];
}
