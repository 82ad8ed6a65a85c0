/**
 * The image, checked through a real Dockerfile parser (dockerfile-ast; no Docker engine here):
 * its stages, the user, what each stage copies, and the two entries (the function and the
 * gateway authorizer), which the build must produce; the function's node options size V8's heap for
 * func.yaml's memory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parse as parseHcl } from '@cdktn/hcl2json';
import { imageEntry } from '../../bench/image-entry.js';

const root = new URL('../../', import.meta.url);
const dockerfile = DockerfileParser.parse(readFileSync(new URL('Dockerfile', root), 'utf8'));

interface Stage {
  name: string | null;
  image: string | null;
  instructions: { keyword: string; args: string[]; flags: Record<string, string>; json: string[] }[];
}

function stages(): Stage[] {
  const out: Stage[] = [];
  for (const ins of dockerfile.getInstructions()) {
    const keyword = ins.getKeyword();
    if (keyword === 'FROM') {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === ins.getRange().start.line);
      out.push({ name: from?.getBuildStage() ?? null, image: from?.getImage() ?? null, instructions: [] });
      continue;
    }
    out.at(-1)?.instructions.push({
      keyword,
      args: ins.getArguments().map((a) => a.getValue()),
      flags: flagsOf(ins),
      json: jsonOf(ins),
    });
  }
  return out;
}

function flagsOf(ins: Instruction): Record<string, string> {
  const withFlags = ins as Instruction & { getFlags?: () => { getName(): string; getValue(): string | null }[] };
  return Object.fromEntries((withFlags.getFlags?.() ?? []).map((f) => [f.getName(), f.getValue() ?? '']));
}

function jsonOf(ins: Instruction): string[] {
  const json = ins as Instruction & { getJSONStrings?: () => { getJSONValue(): string }[] };
  return (json.getJSONStrings?.() ?? []).map((s) => s.getJSONValue());
}

const byName = (name: string): Stage => {
  const stage = stages().find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
};
const keywords = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword);

/** The memories deploy/terraform's `function_memory_mb` validation accepts, read with the real HCL parser. */
async function terraformFunctionMemories(): Promise<number[]> {
  const name = 'variables.tf';
  const parsed = (await parseHcl(name, readFileSync(new URL(`deploy/terraform/${name}`, root), 'utf8'))) as {
    variable: Record<string, { default: number; validation: { condition: string }[] }[]>;
  };
  const [declared] = parsed.variable.function_memory_mb ?? [];
  const condition = declared?.validation[0]?.condition ?? '';
  const listed = /^\$\{contains\(\[([\d,\s]+)\],\s*var\.function_memory_mb\)\}$/.exec(condition);
  expect(listed, `function_memory_mb validates against a list: ${condition}`).not.toBeNull();
  const memories = (listed?.[1] ?? '').split(',').map(Number);
  expect(memories).toContain(declared?.default);
  return memories;
}

describe('Dockerfile', () => {
  it('has a build stage on the fn Node 22 build image, a runtime on the fn Node 22 image, and the two entries', () => {
    expect(stages().map((s) => [s.name, s.image])).toEqual([
      ['build', 'fnproject/node:22-dev'],
      ['runtime', 'fnproject/node:22'],
      ['authorizer', 'runtime'],
      ['function', 'runtime'],
    ]);
  });

  it('builds the function by default: the last stage runs dist/func.js', () => {
    const last = stages().at(-1) as Stage;
    expect(last.name).toBe('function');
    const [entry] = keywords(last, 'ENTRYPOINT').map((e) => e.json);
    expect(entry?.[0]).toBe('node');
    expect(entry?.at(-1)).toBe('dist/func.js');
    expect(imageEntry('function')).toEqual({ nodeArgs: entry?.slice(1, -1), script: 'dist/func.js' });
    expect(keywords(byName('authorizer'), 'ENTRYPOINT').map((e) => e.json)).toEqual([['node', 'dist/authorizer.js']]);
    for (const s of stages()) expect(keywords(s, 'CMD')).toEqual([]);
  });

  it("sizes V8's heap for func.yaml's memory and every function_memory_mb Terraform accepts, whatever memory the host shows", async () => {
    // What Node takes besides the heap: ~60-70 MB RSS on Node 22 with the OCI SDK loaded (docs/performance.md, Memory).
    const NODE_BESIDES_HEAP_MB = 100;
    const memoryMb = (parse(readFileSync(new URL('func.yaml', root), 'utf8')) as { memory: number }).memory;
    const { nodeArgs } = imageEntry('function');
    const option = (name: string): number => {
      const value = nodeArgs.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
      expect(value, name).toMatch(/^\d+$/);
      return Number(value);
    };
    // V8's young generation is three semi-spaces (Node's docs, --max-semi-space-size).
    const heapMb = option('max-old-space-size') + 3 * option('max-semi-space-size');
    expect(heapMb + NODE_BESIDES_HEAP_MB).toBeLessThanOrEqual(memoryMb);
    // Every memory Terraform lets the function (and the sweeper, the same image) have fits it too.
    for (const mb of await terraformFunctionMemories())
      expect(heapMb + NODE_BESIDES_HEAP_MB, `${mb} MB`).toBeLessThanOrEqual(mb);
    // And V8 takes them: its heap limit, on this host (24 GB) as in a 256 MB container.
    const limit = Number(
      execFileSync(process.execPath, [...nodeArgs, '-p', 'v8.getHeapStatistics().heap_size_limit'], {
        encoding: 'utf8',
      }),
    );
    expect(limit / 2 ** 20).toBeLessThanOrEqual(heapMb + 8);
  });

  it('runs as uid/gid 1000, as OCI Functions does', () => {
    expect(keywords(byName('runtime'), 'USER').map((u) => u.args)).toEqual([['1000:1000']]);
    for (const name of ['authorizer', 'function']) expect(keywords(byName(name), 'USER')).toEqual([]);
    // Readable by that user whatever the build stage's umask.
    expect(keywords(byName('runtime'), 'RUN').map((r) => r.args.join(' '))).toEqual(['chmod -R o+r /function']);
  });

  it('installs from the lockfile before copying sources, then builds', () => {
    const build = byName('build');
    const order = build.instructions
      .filter((i) => i.keyword === 'COPY' || i.keyword === 'RUN')
      .map((i) => `${i.keyword} ${i.args.join(' ')}`);
    expect(order[0]).toBe('COPY package.json package-lock.json ./');
    expect(order[1]).toBe('RUN npm ci');
    expect(order.at(-1)).toBe('RUN npm run build');
    // Every source root the bundle is built from (tsconfig's include, less tests and benches).
    const copied = keywords(build, 'COPY').map((c) => c.args[0]);
    const tsconfig = JSON.parse(readFileSync(new URL('tsconfig.json', root), 'utf8')) as { include: string[] };
    const sources = tsconfig.include.filter(
      (p) => !['test', 'bench', 'chaos'].includes(p) && !p.endsWith('.config.ts'),
    );
    expect(copied).toEqual(expect.arrayContaining([...sources, 'scripts', 'tsconfig.json']));
    expect(copied).not.toContain('test');
  });

  it('ships only the bundle and package.json (the bundle holds every dependency: test/deploy/image-layout.test.ts)', () => {
    const runtime = byName('runtime');
    expect(
      keywords(runtime, 'COPY').map((c) => ({ from: c.flags.from ?? null, src: c.args[0], dest: c.args[1] })),
    ).toEqual([
      { from: 'build', src: '/function/dist', dest: './dist' },
      { from: null, src: 'package.json', dest: './' },
    ]);
    for (const name of ['authorizer', 'function']) expect(keywords(byName(name), 'COPY')).toEqual([]);
  });

  it('keeps local build output and tests out of the build context', () => {
    const ignored = readFileSync(new URL('.dockerignore', root), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'test', '.git']));
  });

  it('names entries that the build produces', () => {
    // test/helpers/build.ts ran `npm run build`'s script before the tests.
    for (const entry of ['dist/func.js', 'dist/authorizer.js'])
      expect(existsSync(new URL(entry, root)), entry).toBe(true);
  });
});
