// How the image starts a function: the `node` options and the script of a Dockerfile stage's
// ENTRYPOINT. The Dockerfile is the one place those options are written (OCI Functions runs that
// ENTRYPOINT); the bench and the image-layout test read them from here, so what they measure and
// check is what OCI runs.
import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';

export interface ImageEntry {
  /** Node's options, in order, e.g. `--max-old-space-size=…`. */
  readonly nodeArgs: readonly string[];
  /** The script, relative to the image's WORKDIR, e.g. `dist/func.js`. */
  readonly script: string;
}

const DOCKERFILE = new URL('../Dockerfile', import.meta.url);

/** The ENTRYPOINT of `stage` (exec form `["node", …options, script]`), read from the repository's Dockerfile. */
export function imageEntry(
  stage: 'function' | 'authorizer' = 'function',
  text = readFileSync(DOCKERFILE, 'utf8'),
): ImageEntry {
  const dockerfile = DockerfileParser.parse(text);
  let current: string | undefined;
  let entry: string[] | undefined;
  for (const ins of dockerfile.getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      current =
        dockerfile
          .getFROMs()
          .find((f) => f.getRange().start.line === ins.getRange().start.line)
          ?.getBuildStage() ?? undefined;
      continue;
    }
    if (current !== stage || ins.getKeyword() !== 'ENTRYPOINT') continue;
    const json = ins as typeof ins & { getJSONStrings?: () => { getJSONValue(): string }[] };
    entry = (json.getJSONStrings?.() ?? []).map((s) => s.getJSONValue());
  }
  if (!entry || entry.length === 0) throw new Error(`Dockerfile: stage ${stage} has no exec-form ENTRYPOINT`);
  const [node, ...rest] = entry;
  const script = rest.pop();
  if (node !== 'node' || script === undefined || script.startsWith('-'))
    throw new Error(
      `Dockerfile: stage ${stage}'s ENTRYPOINT is not ["node", …options, script]: ${JSON.stringify(entry)}`,
    );
  const bad = rest.filter((a) => !a.startsWith('--'));
  if (bad.length > 0)
    throw new Error(`Dockerfile: stage ${stage}'s ENTRYPOINT has non-option arguments ${JSON.stringify(bad)}`);
  return { nodeArgs: rest, script };
}
