/**
 * Request bodies of the writes the emulator supports, validated into store writes. Properties it
 * does not model are ignored; the ones it models are checked as the site would (NamedIDs, lengths).
 */
import {
  EXTERNAL_REFERENCE_MAX_LENGTH,
  PHONE_NUMBER_MAX_LENGTH,
  SUBJECT_MAX_LENGTH,
  THREAD_CONTENT_TYPES,
} from './catalog.js';
import { ConnectError, ERROR_CODES, writeFailed } from './errors.js';
import { resolveNamedId } from './named-id.js';
import type { SiteProfile } from './site.js';
import type { ContactWrite, NewThread, PhoneWrite, ThreadEdit } from './store.js';

export type Operation = 'create' | 'update';

/** A reference to another object: "Only ID or lookupName can be provided to specify the resource." */
export type ObjectReference = { readonly id: number } | { readonly lookupName: string };

export interface IncidentBody {
  readonly subject?: string;
  readonly primaryContact?: ObjectReference;
  readonly threads?: readonly (NewThread | ThreadEdit)[];
  readonly customFields?: Readonly<Record<string, string | number | boolean | null>>;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(json: unknown, op: Operation): JsonObject {
  if (isObject(json)) return json;
  const detail = 'The request body must be a JSON object';
  throw op === 'create' ? new ConnectError(400, ERROR_CODES.createFailed, detail) : writeFailed(detail);
}

function optionalList(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw writeFailed(`${path} must be a list`);
  return value;
}

/** Counted in characters (code points), not UTF-16 units: an emoji is one character. */
function characterCount(text: string): number {
  return [...text].length;
}

function nameField(value: unknown, path: string): string | null | undefined {
  if (value === undefined || value === null || typeof value === 'string') return value;
  throw writeFailed(`${path} must be a string or null`);
}

export function readContactBody(json: unknown, op: Operation, site: SiteProfile): ContactWrite {
  const body = requireObject(json, op);
  let name: ContactWrite['name'];
  if (body.name !== undefined && body.name !== null) {
    if (!isObject(body.name)) throw writeFailed('name must be an object');
    name = { first: nameField(body.name.first, 'name.first'), last: nameField(body.name.last, 'name.last') };
  }
  const phones = optionalList(body.phones, 'phones').map((item, i): PhoneWrite => {
    const path = `phones[${i}]`;
    if (!isObject(item)) throw writeFailed(`${path} must be an object`);
    if (typeof item.number !== 'string' || item.number.trim() === '') throw writeFailed(`${path}.number is required`);
    if (characterCount(item.number) > PHONE_NUMBER_MAX_LENGTH) {
      throw writeFailed(`${path}.number exceeds the maximum length of ${PHONE_NUMBER_MAX_LENGTH} characters`);
    }
    return { number: item.number, phoneType: resolveNamedId(item.phoneType, site.phoneTypes, `${path}.phoneType`) };
  });
  if (body.externalReference !== undefined && body.externalReference !== null) {
    if (typeof body.externalReference !== 'string') throw writeFailed('externalReference must be a string or null');
    if (characterCount(body.externalReference) > EXTERNAL_REFERENCE_MAX_LENGTH) {
      throw writeFailed(`externalReference exceeds the maximum length of ${EXTERNAL_REFERENCE_MAX_LENGTH} characters`);
    }
  }
  return {
    ...(name === undefined ? {} : { name }),
    ...(body.phones === undefined ? {} : { phones }),
    ...(body.externalReference === undefined ? {} : { externalReference: body.externalReference as string | null }),
  };
}

function readReference(value: unknown, path: string): ObjectReference {
  if (!isObject(value)) throw writeFailed(`${path} must be an object with an id or a lookupName`);
  if (value.id !== undefined) {
    if (typeof value.id !== 'number' || !Number.isSafeInteger(value.id) || value.id <= 0)
      throw writeFailed(`${path}.id must be a positive integer`);
    return { id: value.id };
  }
  if (typeof value.lookupName === 'string') return { lookupName: value.lookupName };
  throw writeFailed(`${path} must have an id or a lookupName`);
}

function readThread(item: unknown, path: string, op: Operation, site: SiteProfile): NewThread | ThreadEdit {
  if (!isObject(item)) throw writeFailed(`${path} must be an object`);
  if (item.text !== undefined && typeof item.text !== 'string') throw writeFailed(`${path}.text must be a string`);
  const text = item.text as string | undefined;
  if (item.id !== undefined) {
    if (op === 'create') throw writeFailed(`${path}.id cannot be set on a new thread`);
    if (typeof item.id !== 'number' || !Number.isSafeInteger(item.id))
      throw writeFailed(`${path}.id must be an integer`);
    return {
      id: item.id,
      ...(text === undefined ? {} : { text }),
      ...(item.entryType === undefined
        ? {}
        : { entryType: resolveNamedId(item.entryType, site.threadEntryTypes, `${path}.entryType`) }),
      ...(item.contentType === undefined
        ? {}
        : { contentType: resolveNamedId(item.contentType, THREAD_CONTENT_TYPES, `${path}.contentType`) }),
    };
  }
  if (text === undefined || text === '') throw writeFailed(`${path}.text is required`);
  if (item.entryType === undefined) throw writeFailed(`${path}.entryType is required`);
  return {
    text,
    entryType: resolveNamedId(item.entryType, site.threadEntryTypes, `${path}.entryType`),
    // [inf] a thread without contentType is plain text.
    contentType:
      item.contentType === undefined
        ? { id: 1, lookupName: 'text/plain' }
        : resolveNamedId(item.contentType, THREAD_CONTENT_TYPES, `${path}.contentType`),
  };
}

export function readIncidentBody(json: unknown, op: Operation, site: SiteProfile): IncidentBody {
  const body = requireObject(json, op);
  if (body.subject !== undefined && typeof body.subject !== 'string') throw writeFailed('subject must be a string');
  const subject = body.subject as string | undefined;
  if (subject !== undefined && characterCount(subject) > SUBJECT_MAX_LENGTH) {
    throw writeFailed(
      `subject exceeds the maximum length of ${SUBJECT_MAX_LENGTH} characters (${characterCount(subject)} given)`,
    );
  }
  if (op === 'create' && (body.primaryContact === undefined || body.primaryContact === null)) {
    throw new ConnectError(400, ERROR_CODES.createFailed, 'A primary contact must be assigned to the created incident');
  }
  const primaryContact =
    body.primaryContact === undefined ? undefined : readReference(body.primaryContact, 'primaryContact');
  const threads = optionalList(body.threads, 'threads').map((item, i) => readThread(item, `threads[${i}]`, op, site));
  const customFields = readCustomFields(body.customFields, site);
  return {
    ...(customFields === undefined ? {} : { customFields }),
    ...(subject === undefined ? {} : { subject }),
    ...(primaryContact === undefined ? {} : { primaryContact }),
    ...(body.threads === undefined ? {} : { threads }),
  };
}

/**
 * `customFields: { c: { name: value } }`. A site with `incidentCustomFields` accepts those names
 * only, each with a value of its type (400 otherwise, as a real site); the default site any name.
 */
function readCustomFields(
  value: unknown,
  site: SiteProfile,
): Record<string, string | number | boolean | null> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || (value.c !== undefined && !isObject(value.c)))
    throw writeFailed('customFields must be an object with a "c" object');
  const fields: Record<string, string | number | boolean | null> = {};
  for (const [name, v] of Object.entries((value.c ?? {}) as JsonObject)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw writeFailed(`customFields.c.${name}: not a custom field name`);
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      throw writeFailed(`customFields.c.${name} must be a scalar`);
    const declared = site.incidentCustomFields;
    if (declared !== undefined) {
      const type = declared[name];
      if (type === undefined)
        throw writeFailed(`Invalid property: customFields.c.${name} is not a custom field of Incident`);
      const expected = { text: 'string', date: 'string', integer: 'number', boolean: 'boolean' }[type];
      if (v !== null && typeof v !== expected)
        throw writeFailed(`customFields.c.${name} is a ${type} field: ${JSON.stringify(v)} is not a valid value`);
    }
    fields[name] = v;
  }
  return fields;
}
