/** One line of `doctor`'s report: shared by the preflight (doctor.ts) and the measurements (doctor-measure.ts). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to change, when it failed. */
  readonly fix?: string;
}
