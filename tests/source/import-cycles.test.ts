/**
 * No module imports itself back through others (house rule: no import
 * cycles), type-only imports included, since they tie the modules as much.
 */
import path from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';

const sourceFolders = ['api', 'functions', 'local', 'client-example', 'resolvers', 'infra', 'bench'];

describe('Source imports', () => {
  it(`form no cycle in ${sourceFolders.join(', ')}`, async () => {
    // Act
    const graph = await madge(sourceFolders, { baseDir: repoRoot, fileExtensions: ['ts'], tsConfig: path.join(repoRoot, 'tsconfig.json') });
    // Assess: the graph is the source (a mis-set madge finding no files would pass vacuously).
    expect(Object.keys(graph.obj())).toEqual(expect.arrayContaining(['local/appsync/index.ts', 'functions/labeler/handler.ts', 'api/manifest.ts']));
    expect(graph.circular().map((cycle) => cycle.join(' > '))).toEqual([]);
  }, 120_000); // madge parses every file: about 5 s of CPU, more on a shared machine
});
