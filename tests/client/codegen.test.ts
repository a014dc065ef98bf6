/**
 * The typed documents in client-example/graphql/generated/ are checked in;
 * this fails when schema.graphql or operations.graphql changed without
 * `npm run codegen`. What codegen writes comes from ./codegen-outputs.ts:
 * generated, or recalled from a generation from the very same inputs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import config, { generatedDir } from '../../codegen.ts';
import { repoRoot } from '../../api/bundle.ts';
import { codegenOutputs, inputsKey } from './codegen-outputs.ts';

describe('Generated client documents', () => {
  // Generating (when nothing is recalled) loads @graphql-codegen/cli: seconds on 2 shared cores.
  it('are what `npm run codegen` writes from schema.graphql and the operations', { timeout: 90_000 }, async () => {
    // Prepare: what npm run codegen writes from the repository's root, in memory.
    const { files } = await codegenOutputs(repoRoot, config);
    // Assess: the same files, each with the same text.
    const generated = new Map(files.map((output) => [path.relative(repoRoot, path.resolve(repoRoot, output.filename)), output.content]));
    const checkedIn = readdirSync(path.join(repoRoot, generatedDir)).map((name) => path.join(generatedDir, name));
    expect([...generated.keys()].sort()).toEqual(checkedIn.sort());
    for (const [file, content] of generated) {
      expect(readFileSync(path.join(repoRoot, file), 'utf8'), `${file} is stale: run npm run codegen`).toBe(content);
    }
  });
});

describe('Function: inputsKey', () => {
  const withSchema = (schema: string) => ({ ...config, schema });

  it('keys a schema file by its text, and SDL by itself', () => {
    expect(inputsKey(repoRoot, withSchema('schema.graphql'))).toMatch(/^[0-9a-f]{64}$/);
    expect(inputsKey(repoRoot, withSchema('type Query { ping: String }'))).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a glob', 'schema/*.graphql'],
    ['a URL', 'https://example.com/graphql'],
    ['a path that is not there', 'moved/schema.graphql'],
    ['a directory', 'client-example'],
  ])('has no key for a schema entry that is %s: what it reads cannot be listed, so nothing is recalled', (_kind, entry) => {
    expect(inputsKey(repoRoot, withSchema(entry))).toBeUndefined();
  });
});
