/**
 * The code loader's bundles made before (local/appsync/resolvers/code-loader.ts over bundle-cache.ts): they are
 * the repo's resolvers/, so a loader reading resolvers/ from another folder (LABELCAST_RESOLVERS_DIR) bundles its
 * files itself rather than taking them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCodeLoader } from '../../local/appsync/resolvers/code-loader.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'labelcast-code-loader-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const resolverText = (marker: string) =>
  `export function request() { return { payload: '${marker}' }; }\nexport function response(ctx) { return ctx.result; }\n`;

describe('Function: createCodeLoader', () => {
  it('bundles resolversDir\'s file rather than taking a bundle given for the same name', () => {
    // Prepare: resolversDir's file, and a bundle of another text under its manifest name
    writeFileSync(path.join(scratch, 'Query.thing.ts'), resolverText('from-resolvers-dir'));
    const bundles = new Map([['resolvers/Query.thing.ts', { text: resolverText('from-bundles'), inputs: [] }]]);

    // Act
    const loader = createCodeLoader({ resolversDir: scratch, bundles });
    const text = loader.bundleText('resolvers/Query.thing.ts');

    // Assess
    expect(text).toContain('from-resolvers-dir');
    expect(text).not.toContain('from-bundles');
  });

  it('takes a given bundle when no resolversDir is set', () => {
    // Prepare
    const bundles = new Map([['resolvers/Query.thing.ts', { text: resolverText('from-bundles'), inputs: [] }]]);

    // Act
    const text = createCodeLoader({ bundles }).bundleText('resolvers/Query.thing.ts');

    // Assess
    expect(text).toContain('from-bundles');
  });
});
