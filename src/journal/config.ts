import { z } from 'zod';

/** Where the run journal lives, parsed from `run_journal`. */
export type JournalLocation =
  | { readonly kind: 'memory' }
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'oci-os'; readonly namespace: string; readonly bucket: string; readonly prefix: string };

const OCI_NAME = /^[A-Za-z0-9._-]{1,256}$/;

/** `memory` | `file:<dir>` | `oci-os://<namespace>/<bucket>[/<prefix>]` */
export function parseJournalLocation(value: string): JournalLocation | string {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('file:')) {
    const dir = value.slice('file:'.length);
    return dir.trim() === '' ? 'file: needs a directory (file:/var/runs)' : { kind: 'file', dir };
  }
  if (value.startsWith('oci-os://')) {
    const [namespace, bucket, ...rest] = value.slice('oci-os://'.length).split('/');
    if (!namespace || !bucket || !OCI_NAME.test(namespace) || !OCI_NAME.test(bucket))
      return 'oci-os:// needs a namespace and a bucket (oci-os://<namespace>/<bucket>[/<prefix>])';
    const prefix = rest.filter((s) => s !== '').join('/');
    return { kind: 'oci-os', namespace, bucket, prefix: prefix === '' ? '' : `${prefix}/` };
  }
  return 'must be memory, file:<dir> or oci-os://<namespace>/<bucket>[/<prefix>]';
}

const location = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const parsed = parseJournalLocation(value);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

/** The journal's section of the function config. */
export const journalConfigShape = {
  /** Where runs are kept: `memory` (one container only), `file:<dir>` or `oci-os://<namespace>/<bucket>[/<prefix>]`. @default 'memory' */
  run_journal: location.default({ kind: 'memory' }),
  /** A lease lasts until the execution's deadline plus this margin, ms. @default 10000 */
  run_journal_lease_margin_ms: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** Overrides the Object Storage endpoint of an `oci-os://` journal. @default the region's */
  oci_objectstorage_endpoint: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s/]+\/?$/i, 'must be an http(s) origin')
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
} as const;

const JournalConfigSchema = z.object(journalConfigShape);
export type JournalConfig = z.infer<typeof JournalConfigSchema>;
