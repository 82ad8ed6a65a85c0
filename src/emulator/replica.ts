/**
 * A reporting replica that lags the live data: what a lagging search reads. Every change while
 * a lag is set is kept as a version (a copy, or null once deleted) with its time; the replica at
 * time T shows each object's last version at or before T. An object with no kept version is the
 * live one (it has not changed within the lag). Versions older than the lag are dropped.
 */
import type { EmulatorContact, EmulatorIncident } from './types.js';

/** What a search reads: the live store, or the replica as of some time. */
export interface ReplicaView {
  contacts(): EmulatorContact[];
  incidents(): EmulatorIncident[];
}

type Kind = 'contact' | 'incident';

interface Version<T> {
  readonly at: number;
  readonly value: T | null;
}

export class LaggingReplica {
  readonly #versions = {
    contact: new Map<number, Version<EmulatorContact>[]>(),
    incident: new Map<number, Version<EmulatorIncident>[]>(),
  };

  /** A change: `before` is the object as it was (null: it did not exist), `after` as it is now (null: deleted). */
  record<K extends Kind>(
    kind: K,
    id: number,
    before: StoredObject<K> | null,
    after: StoredObject<K> | null,
    at: number,
  ): void {
    const map = this.#versions[kind] as Map<number, Version<StoredObject<K>>[]>;
    const versions = map.get(id) ?? [
      { at: Number.NEGATIVE_INFINITY, value: before === null ? null : structuredClone(before) },
    ];
    versions.push({ at, value: after === null ? null : structuredClone(after) });
    map.set(id, versions);
  }

  /** Drops what no read at or after `cutoff` can see. */
  prune(cutoff: number): void {
    for (const map of [this.#versions.contact, this.#versions.incident] as Map<number, Version<unknown>[]>[]) {
      for (const [id, versions] of map) {
        const firstVisible = versions.findLastIndex((v) => v.at <= cutoff);
        // Every version at or before the cutoff: the last one is the live object again.
        if (firstVisible === versions.length - 1) map.delete(id);
        else if (firstVisible > 0) map.set(id, versions.slice(firstVisible));
      }
    }
  }

  clear(): void {
    this.#versions.contact.clear();
    this.#versions.incident.clear();
  }

  /** The data as the replica holds it at `at`, in id order like the live store. */
  view(live: ReplicaView, at: number): ReplicaView {
    return {
      contacts: () => this.#asOf('contact', live.contacts(), at),
      incidents: () => this.#asOf('incident', live.incidents(), at),
    };
  }

  #asOf<K extends Kind>(kind: K, live: StoredObject<K>[], at: number): StoredObject<K>[] {
    const map = this.#versions[kind] as Map<number, Version<StoredObject<K>>[]>;
    const byId = new Map<number, StoredObject<K>>();
    for (const obj of live) if (!map.has(obj.id)) byId.set(obj.id, obj);
    for (const [id, versions] of map) {
      const value = versions.findLast((v) => v.at <= at)?.value ?? null;
      if (value !== null) byId.set(id, value);
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }
}

export type StoredObject<K extends Kind> = K extends 'contact' ? EmulatorContact : EmulatorIncident;
