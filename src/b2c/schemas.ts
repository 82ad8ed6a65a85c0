import { z } from 'zod';

/** Ids are 64-bit capable: accept numbers and numeric strings, keep them as safe integers. */
const id = z
  .union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

/** 201 body of `POST /contacts` and of any create: the full object, `id` at top level. */
export const CreatedSchema = z.looseObject({ id });

/** 201 body of `POST /incidents`: `lookupName` is the reference number. */
export const CreatedIncidentSchema = z.looseObject({
  id,
  referenceNumber: z.string().optional(),
  lookupName: z.string().optional(),
});

/** `GET /contacts?q=…`: no match is 200 with empty `items`. */
export const ContactCollectionSchema = z.looseObject({
  items: z.array(z.looseObject({ id })),
});

/** `GET /contacts/{id}/phones`: phones have no id of their own. */
export const PhoneCollectionSchema = z.looseObject({
  items: z.array(z.looseObject({ rawNumber: z.string().nullish(), number: z.string().nullish() })),
});

/** `GET /incidents?q=…`: `lookupName` is the reference number. */
export const IncidentCollectionSchema = z.looseObject({
  items: z.array(z.looseObject({ id, lookupName: z.string().nullable().optional() })),
});

/** `GET /incidents/{id}/threads`. */
export const ThreadCollectionSchema = z.looseObject({
  items: z.array(z.looseObject({ id, text: z.string().nullable().optional() })),
});

/** The Connect error body (`OSC-CREST-nnnnn`). Every field optional: a proxy may answer anything. */
export const ConnectErrorSchema = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  status: z.number().optional(),
  'o:errorCode': z.string().optional(),
});

export type ConnectError = z.infer<typeof ConnectErrorSchema>;
