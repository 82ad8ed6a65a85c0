import { describe, expect, it } from 'vitest';
import type { InboundSms } from '../../../src/inbound/index.js';
import { SUBJECT_MAX, incidentSubject, smsNote } from '../../../workflows/sms-content.js';

const sms = (text: string): InboundSms => ({
  provider: 'twilio',
  messageId: 'SM1',
  from: '+14155550101',
  to: '+15558675310',
  text,
  receivedAt: '2026-11-27T17:20:06.000Z',
  media: [],
});

describe('incidentSubject', () => {
  it('keeps a short text as is', () => {
    expect(incidentSubject(sms('Router is down'))).toBe('Router is down');
  });

  it('puts a multi-line text with control characters on one line', () => {
    expect(incidentSubject(sms('Line one\r\nline\ttwo\u0007\u2028end'))).toBe('Line one line two end');
  });

  it('names the sender when the text is empty', () => {
    expect(incidentSubject(sms('  '))).toBe('SMS from +14155550101');
  });

  it('cuts a long text to 240 units on a grapheme boundary', () => {
    // Prepare: 239 ASCII characters then a family emoji (11 UTF-16 units) that must not be split
    const text = `${'a'.repeat(238)} 👨‍👩‍👧‍👦 tail`;

    // Act
    const subject = incidentSubject(sms(text));

    // Assess
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(subject).toBe(`${'a'.repeat(238)}…`);
    expect(subject.isWellFormed()).toBe(true);
  });

  it('never leaves half a surrogate pair', () => {
    const subject = incidentSubject(sms('😀'.repeat(300)));
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(subject.isWellFormed()).toBe(true);
    expect(subject.endsWith('😀…')).toBe(true);
  });
});

describe('smsNote', () => {
  it('holds the full text and the provider metadata', () => {
    const text = 'x'.repeat(1000);
    const note = smsNote({ ...sms(text), media: [{ url: 'https://api.twilio.com/m/1', contentType: 'image/jpeg' }] });
    expect(note).toBe(
      [
        'Inbound SMS via twilio',
        'From: +14155550101',
        'To: +15558675310',
        'Message ID: SM1',
        'Received: 2026-11-27T17:20:06.000Z',
        'Media 1: https://api.twilio.com/m/1 (image/jpeg)',
        '',
        text,
      ].join('\n'),
    );
  });
});
