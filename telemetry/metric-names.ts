/**
 * The metrics the function posts to OCI Monitoring and the dimensions each carries. Alarm
 * queries are checked against this table (a test fails on a name or dimension not emitted).
 */

export const MetricName = {
  /** One per run: 1 when the run failed, 0 when it created the incident; its mean is the error rate. */
  IncidentCreationFailed: 'IncidentCreationFailed',
  /** Wall time of a run, ms. */
  RunDuration: 'RunDuration',
  /** Wall time of one step (attempts and back-offs), ms. */
  StepDuration: 'StepDuration',
  /** Attempts one step took (1 = no retry). */
  StepAttempts: 'StepAttempts',
  /** One per compensated run: 1 when a compensation failed for good (manual clean-up), else 0. */
  CompensationFailed: 'CompensationFailed',
  /** One per webhook refused before a run (bad signature, bad payload, …); dimension `reason`. */
  WebhookRejected: 'WebhookRejected',
  /** One per redelivered webhook answered from an earlier run. */
  DuplicateWebhook: 'DuplicateWebhook',
  /** One per answer, whatever it was (5xx outside a run included); dimensions `outcome` and `fault`. */
  WebhookAnswered: 'WebhookAnswered',
  /** One per run a sweep acted on; dimension `outcome` (completed, failed, busy, done, gave_up, skipped). */
  RunSwept: 'RunSwept',
  /**
   * One per object the sweeper's late-write watch found (a write applied after its run made it again);
   * dimensions `kind` (duplicate-incident, noteless-incident, second-note, phoneless-contact) and `outcome`
   * (fixed; left: not provably the run's, a person decides).
   */
  LateWrite: 'LateWrite',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export const Dimension = {
  functionName: 'functionName',
  provider: 'provider',
  step: 'step',
  reason: 'reason',
  outcome: 'outcome',
  fault: 'fault',
  kind: 'kind',
} as const;
export type Dimension = (typeof Dimension)[keyof typeof Dimension];

/** Exactly the dimensions each metric is posted with (stable, low-cardinality). */
export const METRIC_DIMENSIONS = {
  IncidentCreationFailed: ['functionName', 'provider'],
  RunDuration: ['functionName', 'provider'],
  StepDuration: ['functionName', 'step'],
  StepAttempts: ['functionName', 'step'],
  CompensationFailed: ['functionName', 'provider'],
  WebhookRejected: ['functionName', 'reason'],
  DuplicateWebhook: ['functionName', 'provider'],
  WebhookAnswered: ['functionName', 'outcome', 'fault'],
  RunSwept: ['functionName', 'outcome'],
  LateWrite: ['functionName', 'kind', 'outcome'],
} as const satisfies Record<MetricName, readonly Dimension[]>;

export type DimensionsOf<N extends MetricName> = Record<(typeof METRIC_DIMENSIONS)[N][number], string>;

/** `metadata.unit` of each metric. */
export const METRIC_UNIT = {
  IncidentCreationFailed: 'count',
  RunDuration: 'ms',
  StepDuration: 'ms',
  StepAttempts: 'count',
  CompensationFailed: 'count',
  WebhookRejected: 'count',
  DuplicateWebhook: 'count',
  WebhookAnswered: 'count',
  RunSwept: 'count',
  LateWrite: 'count',
} as const satisfies Record<MetricName, string>;
