import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { assertAppSyncSchemaSyntax, EnumValueDescriptionError } from '../../api/appsync-schema-syntax.ts';
import { AuthMode } from '../../api/manifest.ts';
import { composeSchema, schemaPath } from '../../api/schema.ts';
import { SchemaRuleError } from '../../api/schema-defaults.ts';
import { buildServedSchema } from '../../local/appsync/server/schema.ts';

const projectSdl = readFileSync(schemaPath, 'utf8');

describe('Function: assertAppSyncSchemaSyntax', () => {
  it('passes schema.graphql as it is', () => {
    expect(() => assertAppSyncSchemaSyntax(parse(projectSdl))).not.toThrow();
  });

  it('refuses a description on an enum value, naming the enum, the value, its line and why', () => {
    // Prepare
    const sdl = '"Fine here."\nenum Status {\n  OK\n  "Not supported by AppSync."\n  GONE\n}\nextend enum Status {\n  """Nor here."""\n  LATE\n}';

    // Act
    let error: unknown;
    try {
      assertAppSyncSchemaSyntax(parse(sdl));
    } catch (thrown) {
      error = thrown;
    }

    // Assess
    expect(error).toBeInstanceOf(EnumValueDescriptionError);
    expect(error).toBeInstanceOf(SchemaRuleError);
    expect((error as EnumValueDescriptionError).found).toEqual([
      { coordinate: 'Status.GONE', line: 5 },
      { coordinate: 'Status.LATE', line: 9 },
    ]);
    expect((error as Error).message).toMatch(/schema\.graphql:5 Status\.GONE\n {2}schema\.graphql:9 Status\.LATE\n/);
    expect((error as Error).message).toContain("AppSync's schema parser does not support");
  });

  it('passes a description on the enum itself', () => {
    expect(() => assertAppSyncSchemaSyntax(parse('"OK: fine. GONE: removed."\nenum Status { OK GONE }'))).not.toThrow();
  });
});

describe('Composing schema.graphql with a description put back on an enum value', () => {
  const sdl = projectSdl.replace(/^(\s*)PENDING$/m, '$1"Upload URL issued; labels not ready yet."$1PENDING');

  it('is refused for the deployed schema (cdk synth)', () => {
    expect(sdl).not.toBe(projectSdl);
    expect(() => composeSchema({ authModes: [AuthMode.API_KEY], sdl })).toThrow(/the schema:\d+ ImageStatus\.PENDING\n/);
  });

  it('is refused when the local AppSync loads it', () => {
    expect(() => buildServedSchema({ sdl })).toThrow(EnumValueDescriptionError);
  });
});
