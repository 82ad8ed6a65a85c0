import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/engine/index.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import type { InboundSms } from '../../../src/inbound/index.js';
import { contactMarker, mayHaveApplied, smsToIncident, type ServiceDesk } from '../../../workflows/sms-to-incident.js';
import { smsNote } from '../../../workflows/sms-content.js';

const sms: InboundSms = {
  provider: 'twilio',
  messageId: 'SM1',
  from: '+14155550101',
  to: '+15558675310',
  text: 'help',
  media: [],
};
const lost = Object.assign(new Error('socket hang up'), { retryable: true, ambiguous: true });
const throttled = Object.assign(new Error('503'), { retryable: true, ambiguous: false });

const options = () => ({ runId: 'run-1', deadline: T0 + 60_000, clock: new FakeClock(), random: () => 0 });

/** A desk whose writes can fail once (with the write applied or not) and whose look-ups see what was applied. */
function siteDesk(failOnce: Partial<Record<'createContact' | 'createIncident' | 'addThread', Error>> = {}) {
  const site = {
    contacts: [] as { id: number; ref?: string }[],
    incidents: [] as { id: number; subject: string; contactId: number; field?: string }[],
    notes: [] as string[],
  };
  const log: string[] = [];
  const desk: ServiceDesk = {
    findContactByPhone: async () => {
      log.push('findContactByPhone');
      return undefined;
    },
    createContact: async (c) => {
      log.push(`createContact(${c.externalReference})`);
      site.contacts.push({
        id: 7 + site.contacts.length,
        ...(c.externalReference ? { ref: c.externalReference } : {}),
      });
      if (failOnce.createContact) {
        const e = failOnce.createContact;
        delete failOnce.createContact;
        throw e;
      }
      return { id: site.contacts.at(-1)!.id };
    },
    addPhone: async () => {
      log.push('addPhone');
    },
    createIncident: async (i) => {
      log.push('createIncident');
      const applied = failOnce.createIncident !== throttled;
      if (applied)
        site.incidents.push({
          id: 42 + site.incidents.length,
          subject: i.subject,
          contactId: i.primaryContactId,
          ...(i.customField ? { field: i.customField.value } : {}),
        });
      if (failOnce.createIncident) {
        const e = failOnce.createIncident;
        delete failOnce.createIncident;
        throw e;
      }
      return { id: site.incidents.at(-1)!.id, referenceNumber: `ref-${site.incidents.at(-1)!.id}` };
    },
    addThread: async (_, text) => {
      log.push('addThread');
      site.notes.push(text);
      if (failOnce.addThread) {
        const e = failOnce.addThread;
        delete failOnce.addThread;
        throw e;
      }
    },
    deleteIncident: async () => {
      log.push('deleteIncident');
    },
    deleteContact: async () => {
      log.push('deleteContact');
    },
    contactInUse: async () => {
      log.push('contactInUse');
      return { phone: true as const };
    },
    findContactByExternalReference: async (ref) => {
      log.push(`findContactByExternalReference(${ref})`);
      return site.contacts.find((c) => c.ref === ref)?.id;
    },
    findIncidents: async (q) => {
      log.push(
        `findIncidents(${q.customField ? `field=${q.customField.value}` : `${q.primaryContactId},${q.createdSince},${q.subject}`})`,
      );
      return site.incidents
        .filter((i) =>
          q.customField
            ? i.field === q.customField.value
            : i.contactId === q.primaryContactId && i.subject === q.subject,
        )
        .map((i) => ({ id: i.id, referenceNumber: `ref-${i.id}` }));
    },
    threadTexts: async () => {
      log.push('threadTexts');
      return [...site.notes];
    },
  };
  return { desk, site, log };
}

describe('smsToIncident: ambiguous outcomes are reconciled, not retried blindly', () => {
  it('adopts the contact a lost create made, found by its run marker', async () => {
    // Prepare
    const { desk, site, log } = siteDesk({ createContact: lost });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.contacts).toHaveLength(1);
    expect(result.state).toMatchObject({ contactId: 7, contactCreated: true });
    expect(log.slice(0, 3)).toEqual([
      'findContactByPhone',
      `createContact(${contactMarker('run-1')})`,
      `findContactByExternalReference(${contactMarker('run-1')})`,
    ]);
  });

  it('adopts the incident a lost create made: same contact, same subject, created since the run started (less skew)', async () => {
    // Prepare
    const { desk, site, log } = siteDesk({ createIncident: lost });

    // Act
    const result = await runWorkflow(
      smsToIncident(desk),
      { sms, runStartedAt: Date.parse('2026-11-27T10:00:30.500Z') },
      options(),
    );

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.incidents).toHaveLength(1);
    expect(result.state).toMatchObject({ incidentId: 42, referenceNumber: 'ref-42' });
    expect(log).toContain('findIncidents(7,2026-11-27T09:59:30Z,help)');
    expect(log.filter((l) => l === 'createIncident')).toHaveLength(1);
  });

  it('looks the incident up by the custom field alone when one is configured', async () => {
    // Prepare
    const { desk, site, log } = siteDesk({ createIncident: lost });

    // Act
    const result = await runWorkflow(smsToIncident(desk, { incidentSmsField: 'sms_id' }), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.incidents).toEqual([expect.objectContaining({ field: 'SM1' })]);
    expect(log).toContain('findIncidents(field=SM1)');
  });

  it('creates again without a look-up when the failure says nothing was written (throttling)', async () => {
    // Prepare
    const { desk, site, log } = siteDesk({ createIncident: throttled });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.incidents).toHaveLength(1);
    expect(log.some((l) => l.startsWith('findIncidents'))).toBe(false);
    expect(log.filter((l) => l === 'createIncident')).toHaveLength(2);
  });

  it('does not add the note twice when a lost answer had added it', async () => {
    // Prepare
    const { desk, site } = siteDesk({ addThread: lost });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.notes).toEqual([smsNote(sms)]);
  });

  it('checks before every write of a recovering run (an earlier execution was cut off)', async () => {
    // Prepare
    const { desk, log } = siteDesk();

    // Act
    await runWorkflow(smsToIncident(desk), { sms, recovering: true, runStartedAt: 0 }, options());

    // Assess
    expect(log.filter((l) => /^find|^threadTexts/.test(l))).toEqual([
      'findContactByPhone',
      `findContactByExternalReference(${contactMarker('run-1')})`,
      'findIncidents(7,1969-12-31T23:59:00Z,help)',
      'threadTexts',
    ]);
  });
});

const attempts = (...errors: unknown[]) => ({
  earlierAttempts: errors.map((error, i) => ({ attempt: i + 1, startedAt: 0, endedAt: 0, error })),
});

describe('mayHaveApplied', () => {
  it('is true for a recovering run, a lost answer or an attempt timeout; false for a first attempt or a known non-write', () => {
    expect(mayHaveApplied({ recovering: true }, attempts())).toBe(true);
    expect(mayHaveApplied({}, attempts(lost))).toBe(true);
    expect(mayHaveApplied({}, attempts(Object.assign(new Error('timed out'), { name: 'AttemptTimeoutError' })))).toBe(
      true,
    );
    expect(mayHaveApplied({}, attempts())).toBe(false);
    expect(mayHaveApplied({}, attempts(throttled))).toBe(false);
  });

  it('remembers an unknown outcome after a later attempt failed otherwise (its reconcile read was throttled)', () => {
    expect(mayHaveApplied({}, attempts(lost, throttled))).toBe(true);
  });
});
