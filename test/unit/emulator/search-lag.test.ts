import { describe, expect, it } from 'vitest';
import { EmulatorStore } from '../../../src/emulator/store.js';

/** The store's lagging search view on a hand-driven clock: what a search sees, when. */
function storeAt(startMs: number): { store: EmulatorStore; advance(ms: number): void } {
  let now = startMs;
  return {
    store: new EmulatorStore(() => new Date(now)),
    advance: (ms) => {
      now += ms;
    },
  };
}

const MOBILE = { id: 1, lookupName: 'Mobile Phone' };

describe('EmulatorStore search view with a lag', () => {
  it('is the live data when no lag is set', () => {
    // Prepare
    const { store } = storeAt(1_000_000);

    // Act
    const contact = store.createContact({});

    // Assess
    expect(
      store
        .searchView()
        .contacts()
        .map((c) => c.id),
    ).toEqual([contact.id]);
  });

  it('shows each object as it was lagMs ago: created, changed, deleted', () => {
    // Prepare
    const { store, advance } = storeAt(1_000_000);
    const before = store.createContact({ name: { first: 'Before' } });
    store.setSearchLag(1_000);

    // Act
    advance(100);
    const fresh = store.createContact({});
    store.updateContact(before, { phones: [{ number: '+15550003333', phoneType: MOBILE }] });
    const atOnce = store.searchView().contacts();
    advance(1_000);
    const afterCreate = store.searchView().contacts();
    store.deleteContact(before.id);
    advance(500);
    const duringDelete = store.searchView().contacts();
    advance(600);
    const afterDelete = store.searchView().contacts();

    // Assess
    expect(atOnce.map((c) => [c.id, c.phones.length])).toEqual([[before.id, 0]]);
    expect(afterCreate.map((c) => [c.id, c.phones.length])).toEqual([
      [before.id, 1],
      [fresh.id, 0],
    ]);
    expect(duringDelete.map((c) => c.id)).toEqual([before.id, fresh.id]);
    expect(afterDelete.map((c) => c.id)).toEqual([fresh.id]);
    expect(store.contacts().map((c) => c.id)).toEqual([fresh.id]);
  });

  it('hides the incidents a contact deletion removed only after the lag, and never changes the live data', () => {
    // Prepare
    const { store, advance } = storeAt(1_000_000);
    const contact = store.createContact({});
    const incident = store.createIncident({ subject: 's', primaryContactId: contact.id });
    store.setSearchLag(1_000);

    // Act
    store.deleteContact(contact.id);
    const atOnce = store.searchView().incidents();
    advance(1_000);
    const later = store.searchView().incidents();

    // Assess
    expect(atOnce.map((i) => i.id)).toEqual([incident.id]);
    expect(later).toEqual([]);
    expect(store.incidents()).toEqual([]);
  });
});
