import type { NamedId, NamedIdList } from './catalog.js';
import { writeFailed } from './errors.js';

/**
 * Resolves a NamedID written as `{id}`, `{lookupName}` or both ("These IDs can be set by either
 * value or name"). Unknown or contradicting values are a failed write (400 OSC-CREST-00006).
 */
export function resolveNamedId(value: unknown, list: NamedIdList, path: string): NamedId {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw writeFailed(`${path} must be an object with an id or a lookupName`);
  }
  const { id, lookupName } = value as { id?: unknown; lookupName?: unknown };
  if (id === undefined && lookupName === undefined) throw writeFailed(`${path} must have an id or a lookupName`);
  if (id !== undefined && (typeof id !== 'number' || !Number.isInteger(id)))
    throw writeFailed(`${path}.id must be an integer`);
  if (lookupName !== undefined && typeof lookupName !== 'string')
    throw writeFailed(`${path}.lookupName must be a string`);

  const byId = id === undefined ? undefined : list.values.find((v) => v.id === id);
  const byName = lookupName === undefined ? undefined : list.values.find((v) => v.lookupName === lookupName);
  if (id !== undefined && byId === undefined)
    throw writeFailed(`Invalid ID: No such ${list.label} with ID = ${String(id)} (${path})`);
  if (lookupName !== undefined && byName === undefined) {
    throw writeFailed(`Invalid lookupName: No such ${list.label} with lookupName = '${String(lookupName)}' (${path})`);
  }
  if (byId !== undefined && byName !== undefined && byId !== byName) {
    throw writeFailed(
      `${path}: id ${byId.id} and lookupName '${byName.lookupName}' name different ${list.label} values`,
    );
  }
  const resolved = byId ?? byName;
  if (resolved === undefined) throw writeFailed(`${path}: neither id nor lookupName given`);
  return { id: resolved.id, lookupName: resolved.lookupName };
}
