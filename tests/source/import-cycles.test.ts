/**
 * No module imports itself back through others (house rule: no import
 * cycles), type-only imports included, since they tie the modules as much.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { importCycles, importGraph } from './import-graph.ts';

const sourceFolders = ['api', 'functions', 'local', 'client-example', 'resolvers', 'infra', 'bench'];

describe('Source imports', () => {
  it(`form no cycle in ${sourceFolders.join(', ')}`, () => {
    // Act
    const graph = importGraph(repoRoot, sourceFolders);
    // Assess: the graph is the source, with its imports (a graph of no files or no edges would pass vacuously).
    expect(graph).toEqual(
      expect.objectContaining({
        'local/appsync/index.ts': expect.any(Array),
        'functions/labeler/handler.ts': expect.arrayContaining(['functions/labeler/label-image.ts']),
        'api/manifest.ts': expect.any(Array),
      }),
    );
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('Function: importGraph', () => {
  it('ties files by type-only imports, import() types and re-exports as by imports, and leaves packages out', () => {
    // Prepare: a project with the repository's tsconfig.json
    const root = mkdtempSync(path.join(tmpdir(), 'labelcast-import-graph-'));
    try {
      copyFileSync(path.join(repoRoot, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
      mkdirSync(path.join(root, 'src', 'deep'), { recursive: true });
      const files = {
        'a.ts': "import type { B } from './deep/b.ts';\nimport { readFileSync } from 'node:fs';\nexport type A = B;\n",
        'deep/b.ts': "// import { Z } from '../z.ts';\nexport type B = import('../c.ts').C;\n",
        'c.ts': "export * from './a.ts';\nexport type C = string;\n",
        'd.ts': "export { type C } from './c.ts';\nimport 'vitest';\n",
      };
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, 'src', name), text);

      // Act
      const graph = importGraph(root, ['src']);

      // Assess
      expect(graph).toEqual({ 'src/a.ts': ['src/deep/b.ts'], 'src/deep/b.ts': ['src/c.ts'], 'src/c.ts': ['src/a.ts'], 'src/d.ts': ['src/c.ts'] });
      expect(importCycles(graph)).toEqual(['src/a.ts > src/deep/b.ts > src/c.ts > src/a.ts']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Function: importCycles', () => {
  it('reports a cycle through each file on one, a file importing itself included, and none in a graph without', () => {
    const graph = { 'a.ts': ['b.ts'], 'b.ts': ['c.ts', 'd.ts'], 'c.ts': ['a.ts'], 'd.ts': [], 'e.ts': ['e.ts'], 'f.ts': ['d.ts', 'b.ts'] };
    expect(importCycles(graph)).toEqual(['a.ts > b.ts > c.ts > a.ts', 'e.ts > e.ts']);
    expect(importCycles({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['c.ts'], 'c.ts': [] })).toEqual([]);
  });
});
