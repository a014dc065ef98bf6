/**
 * The typed documents in client-example/graphql/generated/ are checked in;
 * this fails when schema.graphql or operations.graphql changed without
 * `npm run codegen`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { describe, expect, it } from 'vitest';
import config, { generatedDir } from '../../codegen.ts';
import { repoRoot } from '../../api/bundle.ts';

describe('Generated client documents', () => {
  it('are what `npm run codegen` writes from schema.graphql and the operations', async () => {
    // Prepare: generate in memory (saveToFile false), from the repository's root as npm runs it.
    const outputs: Types.FileOutput[] = await generate({ ...config, cwd: repoRoot, silent: true }, false);
    // Assess: the same files, each with the same text.
    const generated = new Map(outputs.map((output) => [path.relative(repoRoot, path.resolve(repoRoot, output.filename)), output.content]));
    const checkedIn = readdirSync(path.join(repoRoot, generatedDir)).map((name) => path.join(generatedDir, name));
    expect([...generated.keys()].sort()).toEqual(checkedIn.sort());
    for (const [file, content] of generated) {
      expect(readFileSync(path.join(repoRoot, file), 'utf8'), `${file} is stale: run npm run codegen`).toBe(content);
    }
  });
});
