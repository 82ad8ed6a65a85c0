/**
 * The checks behind `layers.test.ts`: the "Layers" list of ARCHITECTURE.md read as data, every
 * relative import of the tree read from the source text, and the rules the page states (imports
 * point down the list, never up, never both ways between two parts, no circle of files).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** One numbered item of the Layers list: its parts, each a folder (`src/journal/`) or a file (`src/config.ts`). */
export interface Layer {
  readonly number: number;
  readonly parts: readonly string[];
}

/** One relative import: from a file, to the file it resolves to. */
export interface Import {
  readonly from: string;
  readonly line: number;
  readonly specifier: string;
  /** Undefined when the specifier resolves to no file. */
  readonly to: string | undefined;
}

/**
 * The numbered items under `## Layers`, in order. A part is a backticked path ending in `/` (a
 * folder) or in a file extension; other backticked words are prose.
 */
export function parseLayers(markdown: string): Layer[] {
  const section = /^## Layers\s*$([\s\S]*?)(?=^## )/m.exec(markdown)?.[1];
  if (section === undefined) throw new Error('ARCHITECTURE.md has no "## Layers" section');
  const items = section.split(/^(?=\d+\.\s)/m).filter((item) => /^\d+\.\s/.test(item));
  return items.map((item) => ({
    number: Number(/^(\d+)\./.exec(item)![1]),
    parts: [...item.matchAll(/`([^`\s]+)`/g)]
      .map((m) => m[1]!)
      .filter((token) => /^[\w.-]+(\/[\w.-]+)*(\/|\.[cm]?[jt]s)$/.test(token)),
  }));
}

const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;

/** Every source file under `roots` (declaration files excluded), as `/`-separated paths relative to `base`. */
export function sourceFiles(base: string, roots: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(base, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'fixtures') walk(path);
      } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const root of roots) if (existsSync(join(base, root))) walk(root);
  return files.sort();
}

/** `import … from`, `export … from`, a bare `import '…'` and `import('…')`, type-only ones included. */
const IMPORT =
  /(?:^|[\s;}])(?:import|export)\s[^;]*?\sfrom\s*(['"])([^'"]+)\1|(?:^|[\s;}])import\s*(['"])([^'"]+)\3|\bimport\s*\(\s*(['"])([^'"]+)\5\s*\)/g;

/** The relative imports of `file` (package imports are not ours to layer). */
export function importsOf(base: string, file: string): Import[] {
  // Comments are blanked (newlines kept, for line numbers): an import in a comment is not one.
  const text = readFileSync(join(base, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/^(\s*)\/\/.*$/gm, '$1');
  const found: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const specifier = m[2] ?? m[4] ?? m[6]!;
    if (!specifier.startsWith('.')) continue;
    const line = text.slice(0, m.index + m[0].length).split('\n').length;
    found.push({ from: file, line, specifier, to: resolve(base, file, specifier) });
  }
  return found;
}

function resolve(base: string, from: string, specifier: string): string | undefined {
  const target = normalize(join(dirname(from), specifier))
    .split(sep)
    .join('/');
  const candidates = [
    target.replace(/\.js$/, '.ts'),
    target.replace(/\.mjs$/, '.mts'),
    target,
    `${target}.ts`,
    `${target}/index.ts`,
  ];
  const hit = candidates.find((c) => existsSync(join(base, c)) && statSync(join(base, c)).isFile());
  return hit === undefined ? undefined : relative(base, join(base, hit)).split(sep).join('/');
}

/** The part a file belongs to: the longest listed folder holding it, or the file itself when listed. */
export function partOf(file: string, layers: readonly Layer[]): { part: string; layer: number } | undefined {
  let best: { part: string; layer: number } | undefined;
  for (const layer of layers) {
    for (const part of layer.parts) {
      const holds = part.endsWith('/') ? file.startsWith(part) : file === part;
      if (holds && (best === undefined || part.length > best.part.length)) best = { part, layer: layer.number };
    }
  }
  return best;
}

/**
 * Every broken rule, one sentence each naming the file, the line and the rule, so whoever adds a
 * module can fix it from the message alone.
 */
export function violations(
  files: readonly string[],
  imports: readonly Import[],
  layers: readonly Layer[],
  exists: (part: string) => boolean,
): string[] {
  const problems: string[] = [];
  const where = (i: Import): string => `${i.from}:${i.line} imports '${i.specifier}'`;

  for (const layer of layers) {
    for (const part of layer.parts)
      if (!exists(part))
        problems.push(
          `ARCHITECTURE.md Layers item ${layer.number} names \`${part}\`, which does not exist: remove or rename it`,
        );
  }
  const unplaced = new Map<string, string[]>();
  for (const file of files) {
    if (partOf(file, layers) !== undefined) continue;
    const folder = file.includes('/') ? `${file.slice(0, file.lastIndexOf('/'))}/` : file;
    unplaced.set(folder, [...(unplaced.get(folder) ?? []), file]);
  }
  for (const [folder, unlisted] of unplaced) {
    problems.push(
      `${unlisted.length === 1 ? unlisted[0] : `${folder} (${unlisted.length} files)`} is in no part of the Layers list: add \`${folder}\` (or the file) to the right item of "## Layers" in ARCHITECTURE.md`,
    );
  }

  // Parts that import each other are a circle between parts, even within one layer.
  const partEdges = new Map<string, Import>();
  for (const i of imports) {
    if (i.to === undefined) {
      problems.push(`${where(i)}, which resolves to no file`);
      continue;
    }
    const from = partOf(i.from, layers);
    const to = partOf(i.to, layers);
    if (from === undefined || to === undefined || from.part === to.part) continue;
    if (to.layer < from.layer) {
      problems.push(
        `${where(i)} (${i.to}): \`${from.part}\` is on layer ${from.layer} and may not import \`${to.part}\` on layer ${to.layer}, above it (imports point down the Layers list)`,
      );
    }
    if (!partEdges.has(`${from.part} ${to.part}`)) partEdges.set(`${from.part} ${to.part}`, i);
  }
  for (const [key, i] of partEdges) {
    const [a, b] = key.split(' ') as [string, string];
    const back = partEdges.get(`${b} ${a}`);
    if (back !== undefined && a < b) {
      problems.push(
        `\`${a}\` and \`${b}\` import each other (${where(i)}; ${where(back)}): imports between two parts go one way only`,
      );
    }
  }

  for (const circle of fileCircles(files, imports))
    problems.push(
      `circle of imports: ${circle.join(' → ')} → ${circle[0]}: break it (move the shared piece into its own file)`,
    );
  return problems;
}

/** The circles of the file graph (each strongly connected set of two or more files, or a file importing itself), as one path each. */
export function fileCircles(files: readonly string[], imports: readonly Import[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const i of imports) if (i.to !== undefined) next.get(i.from)?.push(i.to);
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (next.get(v) ?? []).includes(v)) circles.push(pathThrough(component.sort(), next));
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return circles;
}

/** One circle through a strongly connected set, from its first file, for the message. */
function pathThrough(component: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = component[0]!;
  // Breadth-first from start back to start, inside the set.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component];
}
