/** A decoded `application/x-www-form-urlencoded` body: every pair in order, repeats kept. */
export type FormPairs = readonly (readonly [string, string])[];

export function parseForm(text: string): FormPairs {
  // URLSearchParams decodes `+` and percent escapes as browsers and Twilio do; it never throws.
  return [...new URLSearchParams(text)];
}

/** Last value wins for a repeated name, as most frameworks read forms; the signature covers all of them. */
export function formRecord(pairs: FormPairs): Record<string, string> {
  const record: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of pairs) record[name] = value;
  return { ...record };
}
