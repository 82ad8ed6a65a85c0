import type { NamedId } from './catalog.js';
import type { SiteProfile } from './site.js';
import type { EmulatorStore } from './store.js';
import type { EmulatorContact } from './types.js';

function phoneTypeNamed(site: SiteProfile, lookupName: string | undefined): NamedId {
  const list = site.phoneTypes.values;
  const type =
    lookupName === undefined
      ? (list.find((v) => v.id === 1) ?? list[0])
      : list.find((v) => v.lookupName === lookupName);
  if (type === undefined)
    throw new TypeError(
      `unknown phone type '${lookupName ?? ''}' (one of ${list.map((v) => v.lookupName).join(', ')})`,
    );
  return { id: type.id, lookupName: type.lookupName };
}

/** A contact that existed before the test: named, holding `phone` (as typed) as its phone of `phoneType`. */
export function seedContact(
  store: EmulatorStore,
  site: SiteProfile,
  phone: string,
  phoneType?: string,
): EmulatorContact {
  if (typeof phone !== 'string' || phone.trim() === '') throw new TypeError('a seeded contact needs a phone number');
  const contact = store.createContact({
    name: { first: 'Seeded', last: 'Contact' },
    phones: [{ number: phone, phoneType: phoneTypeNamed(site, phoneType) }],
  });
  return structuredClone(contact);
}
