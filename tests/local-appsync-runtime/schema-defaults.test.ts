/**
 * AppSync never applies schema default values (input fields or arguments);
 * graphql-js would. The local AppSync refuses to serve a schema with any.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { findSchemaDefaults, SchemaDefaultValueError } from '../../api/schema-defaults.ts';
import { schemaPath } from '../../api/schema.ts';
import { buildServedSchema } from '../../local/appsync/server/schema.ts';

const projectSdl = readFileSync(schemaPath, 'utf8');

describe('Schema defaults', () => {
  it('finds input field and argument defaults, with their lines', () => {
    const sdl = ['type Query {', '  items(limit: Int = 20, after: String): [String]', '}', 'input Filter {', '  tags: [String!]! = []', '  name: String', '}'].join('\n');
    expect(findSchemaDefaults(parse(sdl))).toEqual([
      { coordinate: 'Query.items(limit)', line: 2 },
      { coordinate: 'Filter.tags', line: 5 },
    ]);
  });

  it('finds none in schema.graphql', () => {
    expect(findSchemaDefaults(parse(projectSdl))).toEqual([]);
  });

  it('makes the local AppSync refuse a schema with a default', () => {
    const withDefault = projectSdl.replace('input LabelInput {\n  name: String!', 'input LabelInput {\n  name: String! = "x"');
    expect(withDefault).not.toBe(projectSdl);
    expect(() => buildServedSchema({ sdl: withDefault })).toThrow(SchemaDefaultValueError);
    expect(() => buildServedSchema({ sdl: withDefault })).toThrow(/schema\.graphql:\d+ LabelInput\.name/);
    expect(() => buildServedSchema({ sdl: projectSdl })).not.toThrow();
  });
});
