/**
 * The source-map cutter (api/own-source-map.js) on small maps, read back by node's own SourceMap, which is what
 * `--enable-source-maps` names a stack frame by. tests/local-lambda/function-bundle.test.ts and
 * tests/infra/function-bundling.test.ts check real bundles.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encode } from '@jridgewell/sourcemap-codec';
import { afterAll, describe, expect, it } from 'vitest';
import { keepOwnSourcesIn, ownSourcesOnly, type SourceMap as SourceMapJson } from '../../api/own-source-map.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-own-map-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** A checkout under workDir with one own source and one dependency, and a map of a bundle of both in `dist/`. */
function checkout(
  name: string,
  mappings: Parameters<typeof encode>[0],
  sources = ['../functions/handler.ts', '../node_modules/dep/index.js'],
): { root: string; dist: string; map: SourceMapJson } {
  const root = path.join(workDir, name);
  const dist = path.join(root, 'dist');
  mkdirSync(dist, { recursive: true });
  const map: SourceMapJson = {
    version: 3,
    sources,
    names: ['handler', 'helper'],
    mappings: encode(mappings),
  };
  writeFileSync(path.join(dist, 'index.mjs.map'), JSON.stringify(map));
  return { root, dist, map };
}

describe('Function: ownSourcesOnly', () => {
  it('leaves a dependency that ends the bundle unmapped, as node reads it', () => {
    // Prepare: our handler at column 0, then the dependency's code from column 10 to the end
    const { root, dist, map } = checkout('tail', [[[0, 0, 0, 0, 0], [10, 1, 0, 0, 1]]]);

    // Act
    const cut = ownSourcesOnly(map, { repoRoot: root, mapFile: path.join(dist, 'index.mjs.map') });

    // Assess: our frame keeps its source and name; the dependency's names no source (node 20 would otherwise name it
    // after the handler, name and all, when the unmapped segment ends the mappings)
    const read = new SourceMap({ ...cut, sources: [...cut.sources], names: [...cut.names] } as ConstructorParameters<typeof SourceMap>[0]);
    expect(cut.sources).toEqual(['../functions/handler.ts']);
    expect(read.findEntry(0, 2)).toMatchObject({ originalSource: '../functions/handler.ts', name: 'handler' });
    expect((read.findEntry(0, 12) as { originalSource?: string }).originalSource).toBeUndefined();
  });
});

describe('Function: keepOwnSourcesIn', () => {
  it('finds our sources when the repo root is named through a symlink, as esbuild writes real paths', () => {
    // Prepare: sources made absolute under the real root, and the root named through a link to it
    const { root, dist } = checkout('real', [[[0, 0, 0, 0, 0], [10, 1, 0, 0, 1]]]);
    const mapFile = path.join(dist, 'index.mjs.map');
    const map = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapJson;
    writeFileSync(mapFile, JSON.stringify({ ...map, sources: map.sources.map((source) => pathToFileURL(path.resolve(dist, source ?? '')).href) }));
    const link = path.join(workDir, 'link');
    symlinkSync(root, link);

    // Act
    keepOwnSourcesIn(link, dist);

    // Assess
    const cut = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapJson;
    expect(cut.sources).toEqual([pathToFileURL(path.join(root, 'functions', 'handler.ts')).href]);
  });

  it('refuses a map left with no source at all, rather than ship one that maps nothing', () => {
    // Prepare: a bundle of dependency code only
    const { root, dist } = checkout('deps-only', [[[0, 0, 0, 0], [10, 1, 0, 0]]], ['../node_modules/dep/index.js', '../node_modules/other/index.js']);

    // Act / Assess
    expect(() => keepOwnSourcesIn(root, dist)).toThrow(/index\.mjs\.map: none of its 2 sources lies in .* outside node_modules/);
  });
});
