import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, parseLayers, sourceFiles, violations, type Import, type Layer } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Every folder with source code, listed or not: a new one must be placed in the Layers list. */
const SOURCE_ROOTS = ['src', 'workflows', 'telemetry', 'test', 'chaos', 'bench', 'scripts'];

const imp = (from: string, to: string, line = 1): Import => ({ from, line, specifier: `./${to}`, to });
const LAYERS: Layer[] = [
  { number: 1, parts: ['app/', 'cli/'] },
  { number: 2, parts: ['core/', 'core/config.ts'] },
];
const check = (files: string[], imports: Import[]): string[] => violations(files, imports, LAYERS, () => true);

describe('ARCHITECTURE.md Layers', () => {
  describe('Function: parseLayers', () => {
    it("reads each numbered item's backticked paths, wrapped lines included, and skips prose", () => {
      // Prepare
      const page =
        '# A\n\n## Layers\n\nImports point down:\n\n1. `src/func.ts`, `src/function/` (the `accept` path)\n2. `telemetry/` and\n   `workflows/`\n\n## The parts\n\n3. `not/this/`\n';

      // Act
      const layers = parseLayers(page);

      // Assess
      expect(layers).toEqual([
        { number: 1, parts: ['src/func.ts', 'src/function/'] },
        { number: 2, parts: ['telemetry/', 'workflows/'] },
      ]);
    });
  });

  describe('Function: violations', () => {
    it('passes imports that point down or stay inside a part', () => {
      expect(
        check(['app/a.ts', 'core/b.ts', 'core/c.ts'], [imp('app/a.ts', 'core/b.ts'), imp('core/b.ts', 'core/c.ts')]),
      ).toEqual([]);
    });

    it('names the file, line, parts and layers of an import running up', () => {
      expect(check(['app/a.ts', 'core/b.ts'], [imp('core/b.ts', 'app/a.ts', 7)])).toEqual([
        "core/b.ts:7 imports './app/a.ts' (app/a.ts): `core/` is on layer 2 and may not import `app/` on layer 1, above it (imports point down the Layers list)",
      ]);
    });

    it('refuses two parts of one layer importing each other', () => {
      const problems = check(
        ['app/a.ts', 'cli/b.ts'],
        [imp('app/a.ts', 'cli/b.ts', 2), imp('cli/b.ts', 'app/a.ts', 3)],
      );
      expect(problems).toEqual([
        "`app/` and `cli/` import each other (app/a.ts:2 imports './cli/b.ts'; cli/b.ts:3 imports './app/a.ts'): imports between two parts go one way only",
        'circle of imports: app/a.ts → cli/b.ts → app/a.ts: break it (move the shared piece into its own file)',
      ]);
    });

    it('refuses a circle of files inside one part, type-only imports included', () => {
      const problems = check(
        ['core/a.ts', 'core/b.ts', 'core/c.ts'],
        [imp('core/a.ts', 'core/b.ts'), imp('core/b.ts', 'core/c.ts'), imp('core/c.ts', 'core/a.ts')],
      );
      expect(problems).toEqual([
        'circle of imports: core/a.ts → core/b.ts → core/c.ts → core/a.ts: break it (move the shared piece into its own file)',
      ]);
    });

    it('places a listed file apart from its folder (the longest listed path wins)', () => {
      expect(
        check(
          ['core/config.ts', 'core/b.ts'],
          [imp('core/b.ts', 'core/config.ts'), imp('core/config.ts', 'core/b.ts')],
        ),
      ).toEqual([
        "`core/` and `core/config.ts` import each other (core/b.ts:1 imports './core/config.ts'; core/config.ts:1 imports './core/b.ts'): imports between two parts go one way only",
        'circle of imports: core/b.ts → core/config.ts → core/b.ts: break it (move the shared piece into its own file)',
      ]);
    });

    it('names a file in no listed part, an import resolving to nothing, and a listed part that does not exist', () => {
      const problems = violations(
        ['new/x.ts', 'other/y.ts', 'other/z.ts'],
        [{ from: 'new/x.ts', line: 3, specifier: './gone.js', to: undefined }],
        LAYERS,
        (part) => part !== 'cli/',
      );
      expect(problems).toEqual([
        'ARCHITECTURE.md Layers item 1 names `cli/`, which does not exist: remove or rename it',
        'new/x.ts is in no part of the Layers list: add `new/` (or the file) to the right item of "## Layers" in ARCHITECTURE.md',
        'other/ (2 files) is in no part of the Layers list: add `other/` (or the file) to the right item of "## Layers" in ARCHITECTURE.md',
        "new/x.ts:3 imports './gone.js', which resolves to no file",
      ]);
    });
  });

  describe('Function: importsOf', () => {
    it('reads static, type-only, multi-line, re-export, bare and dynamic imports, with their lines, and none in comments', () => {
      // Prepare
      const dir = mkdtempSync(join(tmpdir(), 'layers-'));
      mkdirSync(join(dir, 'a'));
      for (const f of ['b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts', 'g/index.ts', 'h.ts']) {
        mkdirSync(dirname(join(dir, 'a', f)), { recursive: true });
        writeFileSync(join(dir, 'a', f), '');
      }
      // The sample is a fixture, not text in this file: this file's own imports are checked too.
      copyFileSync(join(ROOT, 'test/fixtures/imports/main.ts.txt'), join(dir, 'a/main.ts'));

      // Act
      const found = importsOf(dir, 'a/main.ts').map((i) => [i.line, i.to]);

      // Assess
      expect(found).toEqual([
        [1, 'a/b.ts'],
        [2, 'a/c.ts'],
        [5, 'a/d.ts'],
        [6, 'a/e.ts'],
        [7, 'a/f.ts'],
        [8, 'a/g/index.ts'],
        [12, undefined],
      ]);
    });
  });

  it('holds for every import of the tree: none runs up the list, none goes both ways between parts, no circle of files', () => {
    // Prepare
    const layers = parseLayers(readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8'));
    const files = sourceFiles(ROOT, SOURCE_ROOTS);
    const imports = files.flatMap((f) => importsOf(ROOT, f));

    // Act
    const problems = violations(files, imports, layers, (part) => existsSync(join(ROOT, part)));

    // Assess
    expect(files.length).toBeGreaterThan(200);
    expect(imports.length).toBeGreaterThan(500);
    expect(problems).toEqual([]);
  });
});
