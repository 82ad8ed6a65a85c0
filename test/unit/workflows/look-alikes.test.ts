import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/engine/index.js';
import { journalLedger, memoryJournal } from '../../../src/journal/index.js';
import { smsNote } from '../../../workflows/sms-content.js';
import { type Ledger, type ServiceDesk, smsToIncident } from '../../../workflows/sms-to-incident.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { fakeDesk } from '../../helpers/fake-desk.js';
import { sms } from '../../helpers/sample-sms.js';

/**
 * Which of several look-alike incidents (same contact, same subject, recent) a run in doubt adopts,
 * and when it waits instead. The run is recovering (an earlier execution was cut off), so its
 * create-incident step reconciles before it writes.
 */

const ourNote = smsNote(sms);
const otherNote = smsNote({ ...sms, messageId: 'SM0' });
const CONTACT = 3;
const lookAlike = (id: number, notes: string[] = [], field?: string) => ({
  id,
  subject: 'help',
  primaryContactId: CONTACT,
  notes,
  ...(field === undefined ? {} : { field }),
});

function setUp(incidents: ReturnType<typeof lookAlike>[]) {
  const clock = new FakeClock();
  const made = fakeDesk({ contacts: [{ id: CONTACT, phones: [sms.from] }], incidents });
  return { clock, ...made };
}

const recovering = (clock: FakeClock) => ({
  runId: 'run-1',
  deadline: T0 + 60_000,
  clock,
  random: () => 0,
  info: { recovering: true, startedAt: T0 },
});

const runWith = (desk: ServiceDesk, clock: FakeClock, options: { ledger?: Ledger; incidentSmsField?: string } = {}) =>
  runWorkflow(smsToIncident(desk, { ...options, now: () => clock.now() }), { sms }, recovering(clock));

const creates = (log: string[]) => log.filter((l) => l.startsWith('createIncident('));
const deletes = (log: string[]) => log.filter((l) => l.startsWith('deleteIncident('));

describe('smsToIncident without a ledger: look-alikes told apart by their notes', () => {
  it('waits while two look-alikes have no note, and adopts the one left once the other shows another message', async () => {
    // Prepare: two note-less look-alikes; another run's note lands on 100 while this run waits
    const { clock, desk, site, log } = setUp([lookAlike(100), lookAlike(101)]);
    let searches = 0;
    const noting: ServiceDesk = {
      ...desk,
      findIncidents: async (q, o) => {
        searches += 1;
        if (searches === 2) site.incidents[0]!.notes.push(otherNote);
        return desk.findIncidents(q, o);
      },
    };

    // Act
    const result = await runWith(noting, clock);

    // Assess: the first attempt waited (a second after it), the next adopted 101 — not the first look-alike, 100
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({ incidentId: 101, referenceNumber: 'ref-101' });
    const step = result.steps.find((s) => s.name === 'create-incident')!;
    expect(step.attempts.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);
    expect(step.attempts[0]?.error?.message).toMatch(/2 look-alike incidents without a note/);
    expect(step.attempts[0]?.backoffMs).toBeGreaterThanOrEqual(1_000);
    expect(creates(log)).toEqual([]);
    expect(deletes(log)).toEqual([]);
    expect(site.incidents.map((i) => [i.id, i.notes])).toEqual([
      [100, [otherNote]],
      [101, [ourNote]],
    ]);
  });

  it('never adopts one of several note-less look-alikes while they stay so: the step fails, nothing made', async () => {
    // Prepare
    const { clock, desk, site, log } = setUp([lookAlike(100), lookAlike(101)]);

    // Act
    const result = await runWith(desk, clock);

    // Assess
    expect(result).toMatchObject({ status: 'failed', failedStep: 'create-incident' });
    expect(result.state).not.toHaveProperty('incidentId');
    expect(result.steps.find((s) => s.name === 'create-incident')?.error?.message).toMatch(
      /2 look-alike incidents without a note/,
    );
    expect(creates(log)).toEqual([]);
    expect(deletes(log)).toEqual([]);
    expect(site.incidents.map((i) => i.notes)).toEqual([[], []]);
  });

  it('adopts a single note-less look-alike at once', async () => {
    // Prepare
    const { clock, desk, log } = setUp([lookAlike(100)]);

    // Act
    const result = await runWith(desk, clock);

    // Assess
    expect(result.state).toMatchObject({ incidentId: 100 });
    expect(result.steps.find((s) => s.name === 'create-incident')?.attempts).toHaveLength(1);
    expect(creates(log)).toEqual([]);
  });

  it('prefers the look-alike whose note names this message over a note-less one, and waits for nothing', async () => {
    // Prepare
    const { clock, desk, log } = setUp([lookAlike(100), lookAlike(101), lookAlike(102, [ourNote])]);

    // Act
    const result = await runWith(desk, clock);

    // Assess: ours is 102; the note-less ones may be other messages' (not this run's to delete)
    expect(result.state).toMatchObject({ incidentId: 102 });
    expect(result.steps.find((s) => s.name === 'create-incident')?.attempts).toHaveLength(1);
    expect(creates(log)).toEqual([]);
    expect(deletes(log)).toEqual([]);
    // and the note is not added twice
    expect(log.filter((l) => l.startsWith('addThread('))).toEqual([]);
  });

  it('keeps the first of two incidents noting this message and deletes the other', async () => {
    // Prepare
    const { clock, desk, site } = setUp([lookAlike(100, [ourNote]), lookAlike(101, [ourNote])]);

    // Act
    const result = await runWith(desk, clock);

    // Assess
    expect(result.state).toMatchObject({ incidentId: 100 });
    expect(site.incidents.map((i) => i.id)).toEqual([100]);
  });

  it('never adopts a look-alike noting another message: it waits out the search lag, then creates its own', async () => {
    // Prepare
    const { clock, desk, site, log } = setUp([lookAlike(100, [otherNote])]);

    // Act
    const result = await runWith(desk, clock);

    // Assess
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({ incidentId: 42 });
    expect(creates(log)).toEqual(['createIncident(3,help)']);
    expect(site.incidents.map((i) => [i.id, i.notes])).toEqual([
      [100, [otherNote]],
      [42, [ourNote]],
    ]);
  });
});

describe('smsToIncident with a ledger: a note-less look-alike is adopted only by the run that holds it', () => {
  it('skips a look-alike another run holds and claims the next one', async () => {
    // Prepare
    const { clock, desk, log } = setUp([lookAlike(100), lookAlike(101)]);
    const ledger = journalLedger(memoryJournal());
    await ledger.claimIncident(100, 'run-0');

    // Act
    const result = await runWith(desk, clock, { ledger });

    // Assess: no wait (the ledger tells them apart), 101 is now run-1's for good
    expect(result.state).toMatchObject({ incidentId: 101 });
    expect(result.steps.find((s) => s.name === 'create-incident')?.attempts).toHaveLength(1);
    expect(await ledger.claimIncident(101, 'run-2')).toBe('run-1');
    expect(await ledger.claimIncident(100, 'run-2')).toBe('run-0');
    expect(creates(log)).toEqual([]);
    expect(deletes(log)).toEqual([]);
  });

  it('adopts the first look-alike it wins when none is held', async () => {
    // Prepare
    const { clock, desk } = setUp([lookAlike(100), lookAlike(101)]);
    const ledger = journalLedger(memoryJournal());

    // Act
    const result = await runWith(desk, clock, { ledger });

    // Assess: 101 stays free for the other message's run
    expect(result.state).toMatchObject({ incidentId: 100 });
    expect(await ledger.claimIncident(101, 'run-2')).toBe('run-2');
  });

  it('creates its own incident, with its note, when every look-alike is held by another run', async () => {
    // Prepare
    const { clock, desk, log, site } = setUp([lookAlike(100)]);
    const ledger = journalLedger(memoryJournal());
    await ledger.claimIncident(100, 'run-0');

    // Act
    const result = await runWith(desk, clock, { ledger });

    // Assess
    expect(result.state).toMatchObject({ incidentId: 42 });
    expect(creates(log)).toEqual(['createIncident(3,help)']);
    // Its note names the message, so no other run's reconcile adopts it: no ledger claim needed.
    expect(site.incidents.find((i) => i.id === 42)?.notes).toEqual([ourNote]);
  });
});

describe('smsToIncident with the message id in a custom field: every look-alike found is this message', () => {
  it('keeps the first note-less one and deletes the others', async () => {
    // Prepare
    const { clock, desk, site } = setUp([lookAlike(100, [], 'SM1'), lookAlike(101, [], 'SM1')]);

    // Act
    const result = await runWith(desk, clock, { incidentSmsField: 'sms_id' });

    // Assess
    expect(result.state).toMatchObject({ incidentId: 100 });
    expect(site.incidents.map((i) => [i.id, i.notes])).toEqual([[100, [ourNote]]]);
  });

  it('keeps the one that already has the note, and deletes a note-less one', async () => {
    // Prepare
    const { clock, desk, site, log } = setUp([lookAlike(100, [], 'SM1'), lookAlike(101, [ourNote], 'SM1')]);

    // Act
    const result = await runWith(desk, clock, { incidentSmsField: 'sms_id' });

    // Assess
    expect(result.state).toMatchObject({ incidentId: 101 });
    expect(deletes(log)).toEqual(['deleteIncident(100)']);
    expect(site.incidents.map((i) => [i.id, i.notes])).toEqual([[101, [ourNote]]]);
  });
});
