import { describe, expect, it } from 'vitest';
import { incidentSubject, noteId, noteMessageId, SUBJECT_MAX, smsNote } from '../../../workflows/sms-content.js';
import { sms } from '../../helpers/sample-sms.js';

/** The note's exact form, how its message id is read back whatever a site did to it, and the subject's edges. */

describe('Function: smsNote', () => {
  it('is the header, the media, the provider fields, then the text', () => {
    expect(
      smsNote({
        ...sms,
        receivedAt: '2026-12-02T10:00:00Z',
        media: [{ url: 'https://m/1', contentType: 'image/png' }, { url: 'https://m/2' }],
        raw: { AccountSid: 'AC1' },
      }),
    ).toBe(
      [
        'Inbound SMS via twilio',
        'From: +14155550101',
        'To: +15558675310',
        'Message ID: SM1',
        'Received: 2026-12-02T10:00:00Z',
        'Media 1: https://m/1 (image/png)',
        'Media 2: https://m/2',
        'Provider fields:',
        '  AccountSid: AC1',
        '',
        'help',
      ].join('\n'),
    );
  });

  it('says unknown for what the provider did not send, and lists no provider fields when there are none', () => {
    const { to: _to, ...noTo } = sms;
    expect(smsNote({ ...noTo, raw: {} })).toBe(
      [
        'Inbound SMS via twilio',
        'From: +14155550101',
        'To: unknown',
        'Message ID: SM1',
        'Received: unknown',
        '',
        'help',
      ].join('\n'),
    );
  });
});

describe('Function: noteMessageId', () => {
  it.each([
    ['our note', smsNote(sms), 'SM1'],
    ['with CRLF line ends', smsNote(sms).replace(/\n/g, '\r\n'), 'SM1'],
    ['with old Mac line ends', smsNote(sms).replace(/\n/g, '\r'), 'SM1'],
    ['with white space before it', `\n  ${smsNote(sms)}`, 'SM1'],
    [
      'with the id indented by a tab and trailing blanks',
      smsNote(sms).replace('Message ID: SM1', 'Message ID:\tSM1  '),
      'SM1',
    ],
    ['whose text quotes another header', smsNote({ ...sms, text: 'Message ID: SM9' }), 'SM1'],
    ['an agent reply', 'Thanks, we are on it', undefined],
    ['a reply quoting a note later on', `Re:\n${smsNote(sms)}`, undefined],
    ['a note without an id', 'Inbound SMS via twilio\nFrom: x\nMessage ID:   \n\nhelp', undefined],
    ['a note whose id line is missing', 'Inbound SMS via twilio\nFrom: x\n\nhelp', undefined],
    ['an id line not at a line start', 'Inbound SMS via twilio\nFrom: x Message ID: SM1\n\nhelp', undefined],
  ])('%s', (_, text, id) => {
    expect(noteMessageId(text)).toBe(id);
  });

  it('reads back the id noteId writes, for an id with control characters or blanks around it', () => {
    const odd = { ...sms, messageId: ' SM\u00011 ' };
    expect(noteId(odd)).toBe('SM 1');
    expect(noteMessageId(smsNote(odd))).toBe(noteId(odd));
  });
});

describe('Function: incidentSubject', () => {
  it('makes a run of control characters and white space one space', () => {
    expect(incidentSubject({ ...sms, text: 'a\u0000\u0001b\u2028\u2029c \t\n d' })).toBe('a b c d');
  });

  it('keeps a text of exactly the limit, and cuts one unit longer', () => {
    const exact = 'x'.repeat(SUBJECT_MAX);
    expect(incidentSubject({ ...sms, text: exact })).toBe(exact);
    const cut = incidentSubject({ ...sms, text: `${exact}y` });
    expect(cut).toBe(`${'x'.repeat(SUBJECT_MAX - 1)}…`);
    expect(cut).toHaveLength(SUBJECT_MAX);
  });

  it('never splits a grapheme made of several code points', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    const subject = incidentSubject({ ...sms, text: `${'x'.repeat(SUBJECT_MAX - 4)}${family}tail` });
    expect(subject).toBe(`${'x'.repeat(SUBJECT_MAX - 4)}…`);
  });
});
