import { describe, expect, it } from 'vitest';
import { escapeXml, renderReply, twimlResponse } from '../../../src/inbound/index.js';

describe('TwiML dialect', () => {
  it('answers an empty <Response/> without a reply', () => {
    expect(twimlResponse()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(twimlResponse('  ')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('escapes the reply and drops characters XML forbids', () => {
    expect(twimlResponse('a<b>&"\'\u0001c')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>a&lt;b&gt;&amp;&quot;&apos;c</Message></Response>',
    );
    expect(escapeXml('</Message><Redirect>x')).not.toContain('<');
  });

  it('fills known placeholders and leaves unknown ones as written', () => {
    expect(
      renderReply('Case {referenceNumber} ({incidentId}) {nope}', { referenceNumber: '261127-000001', incidentId: 7 }),
    ).toBe('Case 261127-000001 (7) {nope}');
  });
});
