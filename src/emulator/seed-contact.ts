import { PHONE_TYPES, type NamedId } from './catalog.js';
import type { EmulatorStore } from './store.js';
import type { EmulatorContact } from './types.js';

function phoneTypeNamed(lookupName: string): NamedId {
  const type = PHONE_TYPES.values.find((v) => v.lookupName === lookupName);
  if (type === undefined) {
    throw new TypeError(`unknown phone type '${lookupName}' (one of ${PHONE_TYPES.values.map((v) => v.lookupName).join(', ')})`);
  }
  return { id: type.id, lookupName: type.lookupName };
}

/** A contact that existed before the test: named, holding `phone` as its phone of `phoneType`. */
export function seedContact(store: EmulatorStore, phone: string, phoneType = 'Mobile Phone'): EmulatorContact {
  if (typeof phone !== 'string' || phone.trim() === '') throw new TypeError('a seeded contact needs a phone number');
  const contact = store.createContact({ name: { first: 'Seeded', last: 'Contact' }, phones: [{ number: phone, phoneType: phoneTypeNamed(phoneType) }] });
  return structuredClone(contact);
}
