// The benchmark's baseline: the function a developer would write in an afternoon. A bare fdk
// handler, straight-line, making the guide's five B2C Service calls for a new sender (sms-incident
// makes four: it creates the incident with its note), with plain fetch: no validation, retries,
// journal, deadline or telemetry. What sms-incident costs on top of it is what the bench reports.
// Config keys as the function's.
import { handle } from '@fnproject/fdk';

const base = `${process.env.b2cservice_hostname}/services/rest/connect/${process.env.b2cservice_api_version ?? 'v1.4'}`;
const headers = {
  authorization: `Basic ${Buffer.from(`${process.env.b2cservice_username}:${process.env.b2cservice_password}`).toString('base64')}`,
  'osvc-crest-application-context': 'sms-incident',
  accept: 'application/json',
  'content-type': 'application/json',
};

async function call(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
  return text ? JSON.parse(text) : undefined;
}

handle(
  async (input, ctx) => {
    const sms = JSON.parse(input.toString('utf8'));
    const digits = sms.from.replace(/\D/g, '');
    const found = await call('GET', `/contacts?q=${encodeURIComponent(`phones.rawNumber = '${digits}'`)}`);
    let contactId = found.items?.[0]?.id;
    if (contactId === undefined) {
      contactId = (
        await call('POST', '/contacts', {
          name: { first: 'SMS', last: 'User' },
          externalReference: `sms-incident:${sms.sid}`,
        })
      ).id;
      await call('PATCH', `/contacts/${contactId}`, {
        phones: [{ number: sms.from, phoneType: { lookupName: 'Mobile Phone' } }],
      });
    }
    const incident = await call('POST', '/incidents', {
      subject: sms.body.slice(0, 240),
      primaryContact: { id: contactId },
    });
    await call('PATCH', `/incidents/${incident.id}`, {
      threads: [{ text: sms.body, entryType: { lookupName: 'Note' }, contentType: { lookupName: 'text/plain' } }],
    });
    console.log(JSON.stringify({ message: 'incident created', incidentId: incident.id }));
    ctx.httpGateway.statusCode = 200;
    return { message: 'success', incidentId: incident.id, referenceNumber: incident.lookupName, contactId };
  },
  { inputMode: 'buffer' },
);
