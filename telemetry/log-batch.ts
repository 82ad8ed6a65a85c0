/** One invocation's log lines, as they will be shipped to OCI Logging (see log-shipper.ts). */

/** OCI truncates a `data` field beyond 10,000 characters; we cut first and say so. */
const MAX_DATA_CHARS = 10_000;
/** Keeps one request far below the ~10 MB PutLogs limit. */
const MAX_ENTRIES = 2_000;

export interface LogBatch {
  readonly lines: string[];
  readonly dropped: number;
}

/** Collects lines for one invocation. */
export function newLogBatch(): LogBatch & { push(line: string): void } {
  const batch = {
    lines: [] as string[],
    dropped: 0,
    push(line: string) {
      if (batch.lines.length >= MAX_ENTRIES) batch.dropped += 1;
      else batch.lines.push(line.length > MAX_DATA_CHARS ? `${line.slice(0, MAX_DATA_CHARS - 20)}…[truncated]` : line);
    },
  };
  return batch;
}
