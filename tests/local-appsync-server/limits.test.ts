/**
 * AppSync's API limits on the local server, over HTTPS with an API key:
 * introspection off in prod, query depth and resolver count (api/limits.ts),
 * and the parser's limits on tokens and nesting (graphql-java's).
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiLimits } from '../../api/limits.ts';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import { maxExpandedSelections, type GraphQLLimits } from '../../local/appsync/server/limits.ts';
import { maxDocumentTokens, maxNestingDepth } from '../../local/appsync/server/parser-limits.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { fakeRuntime, sampleImage, type FakeRuntime } from './fake-runtime.ts';
import { post } from './https-client.ts';
import { startedStateDir } from './state-dir.ts';

const region = 'us-east-1';
const apiKey = 'da2-limitstestapikey000000000';
const credentials = { accessKeyId: 'LKIALIMITSTESTLIMITS', secretAccessKey: 'local/limits/secret/key/0123456789abcdefgh' };

interface Served {
  readonly appsync: LocalAppSync;
  readonly runtime: FakeRuntime;
  readonly stateDir: string;
  query(query: string): Promise<{ status: number; body: { data: unknown; errors?: Record<string, unknown>[] }; text: string }>;
}

async function serve(limits: GraphQLLimits): Promise<Served> {
  const stateDir = await startedStateDir('local-appsync-limits-', region);
  const runtime = fakeRuntime();
  const appsync = await startLocalAppSync({ stateDir, port: 0, region, apiKey, credentials: credentialStore(credentials), runtime, limits });
  const ca = readFileSync(appsync.caPath, 'utf8');
  return {
    appsync,
    runtime,
    stateDir,
    async query(query) {
      const response = await post(appsync.graphqlUrl, ca, JSON.stringify({ query }), { 'content-type': 'application/json', 'x-api-key': apiKey });
      return { status: response.status, body: response.json() as never, text: response.body };
    },
  };
}

const stop = async (served: Served | undefined) => {
  await served?.appsync.close();
  if (served) rmSync(served.stateDir, { recursive: true, force: true });
};

describe('Local AppSync: introspection', () => {
  let prod: Served;
  let dev: Served;
  beforeAll(async () => {
    prod = await serve(ApiLimits.prod);
    dev = await serve(ApiLimits.dev);
  });
  afterAll(async () => {
    await stop(prod);
    await stop(dev);
  });

  it('refuses __schema and __type in prod as a validation error, with no data', async () => {
    // Act
    const schema = await prod.query('{ __schema { types { name } } }');
    const type = await prod.query('{ __type(name: "Image") { fields { name } } }');

    // Assess
    expect(schema.status).toBe(200);
    expect(schema.body).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'Validation error of type FieldUndefined: Cannot query field "__schema" on type "Query".',
        },
      ],
    });
    expect(type.body.data).toBeNull();
    expect(type.body.errors?.[0]?.message).toContain('FieldUndefined');
    expect(prod.runtime.calls).toHaveLength(0);
  });

  it('still answers __typename in prod', async () => {
    // Act
    const response = await prod.query(`{ image(id: "${sampleImage.id}") { __typename id } }`);

    // Assess
    expect(response.body).toEqual({ data: { image: { __typename: 'Image', id: sampleImage.id } } });
  });

  it('answers introspection in dev', async () => {
    // Act
    const response = await dev.query('{ __type(name: "ImageStatus") { enumValues { name } } }');

    // Assess
    expect(response.body).toEqual({ data: { __type: { enumValues: [{ name: 'PENDING' }, { name: 'LABELED' }, { name: 'FAILED' }] } } });
  });
});

describe('Local AppSync: query depth limit', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ introspection: false, queryDepthLimit: 3 });
  });
  afterAll(() => stop(served));

  it('refuses a query nested past the limit before running anything, whatever the data', async () => {
    // Act: image(1) › labels(2) › instances(3) › boundingBox(4), through a fragment; the sample image has no instances.
    const response = await served.query(
      `query Deep { image(id: "${sampleImage.id}") { id labels { ...L } } } fragment L on Label { instances { boundingBox { left } } }`,
    );

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: null,
      errors: [
        {
          path: null,
          data: null,
          errorType: 'QueryDepthLimitReached',
          errorInfo: null,
          locations: [{ line: 1, column: 92, sourceName: null }],
          message: 'Query depth limit of 3 reached.',
        },
      ],
    });
    expect(served.runtime.calls).toHaveLength(0);
  });

  it('lets a query at the limit through', async () => {
    // Act
    const response = await served.query(`{ image(id: "${sampleImage.id}") { labels { name } } }`);

    // Assess
    expect(response.body).toEqual({ data: { image: { labels: [{ name: 'Cat' }] } } });
  });
});

describe('Local AppSync: resolver count limit', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(ApiLimits.prod);
  });
  afterAll(() => stop(served));

  it('does not invoke resolvers past the limit and errors each such field', async () => {
    // Prepare: one resolver invocation more than the limit allows.
    const limit = ApiLimits.prod.resolverCountLimit;
    const fields = Array.from({ length: limit + 1 }, (_, index) => `i${index}: image(id: "${sampleImage.id}") { id }`);

    // Act
    const response = await served.query(`{ ${fields.join(' ')} }`);

    // Assess
    expect(response.status).toBe(200);
    expect(served.runtime.calls).toHaveLength(limit);
    const data = response.body.data as Record<string, unknown>;
    expect(data.i0).toEqual({ id: sampleImage.id });
    expect(data[`i${limit}`]).toBeNull();
    expect(response.body.errors).toEqual([
      {
        path: [`i${limit}`],
        data: null,
        errorType: 'ResolverExecutionLimitReached',
        errorInfo: null,
        locations: [expect.objectContaining({ line: 1 })],
        message: 'Resolver invocation limit reached.',
      },
    ]);
  });

  it('serves the schema\'s deepest query within both limits', async () => {
    // Act: imagesByLabel › items › labels › instances › boundingBox › left is depth 6.
    const response = await served.query('{ imagesByLabel(label: "cat") { items { labels { instances { boundingBox { left } } } } } }');

    // Assess
    expect(response.body.errors).toBeUndefined();
    expect(response.text).not.toMatch(/LimitReached/);
  });
});

describe('Local AppSync: field suggestions', () => {
  let prod: Served;
  let dev: Served;
  beforeAll(async () => {
    prod = await serve(ApiLimits.prod);
    dev = await serve(ApiLimits.dev);
  });
  afterAll(async () => {
    await stop(prod);
    await stop(dev);
  });

  const messages = (response: Awaited<ReturnType<Served['query']>>) => (response.body.errors ?? []).map((error) => String(error.message));

  it('names no field of the schema in prod validation errors', async () => {
    // Act: a misspelt field, argument and type, and a misspelt input field in variables
    const field = await prod.query(`{ image(id: "${sampleImage.id}") { fileNam } }`);
    const argument = await prod.query('{ imagesByLabel(labl: "cat") { nextToken } }');
    const variables = await post(prod.appsync.graphqlUrl, readFileSync(prod.appsync.caPath, 'utf8'), JSON.stringify({
      query: 'mutation Ask($input: RequestUploadInput!) { requestUpload(input: $input) { imageId } }',
      variables: { input: { contentTyp: 'image/jpeg', sizeBytes: 10 } },
    }), { 'content-type': 'application/json', 'x-api-key': apiKey });

    // Assess
    expect(messages(field)).toEqual(['Validation error of type FieldUndefined: Cannot query field "fileNam" on type "Image".']);
    expect(messages(argument).join('\n')).toContain('Unknown argument "labl" on field "Query.imagesByLabel".');
    const variableMessages = (variables.json() as { errors: { message: string }[] }).errors.map((error) => error.message).join('\n');
    expect(variableMessages).toContain('Field "contentTyp" is not defined by type "RequestUploadInput".');
    expect([...messages(field), ...messages(argument), variableMessages].join('\n')).not.toMatch(/Did you mean/);
  });

  it('keeps suggestions in dev, where introspection shows the schema anyway', async () => {
    // Act
    const field = await dev.query(`{ image(id: "${sampleImage.id}") { fileNam } }`);

    // Assess
    expect(messages(field)).toEqual(['Validation error of type FieldUndefined: Cannot query field "fileNam" on type "Image". Did you mean "fileName"?']);
  });
});

describe('Local AppSync: fragments that spread each other twice', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(ApiLimits.prod);
  });
  afterAll(() => stop(served));

  it('answers 40 fragments each spreading the next twice (2^40 spreads) by walking each once', async () => {
    // Prepare
    const fragments = Array.from({ length: 40 }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`);
    const query = `query Chain { ...F0 } ${fragments.join(' ')} fragment F40 on Query { image(id: "${sampleImage.id}") { id labels { name } } }`;

    // Act: an exponential depth check or selection walk would never answer
    const response = await served.query(query);

    // Assess
    expect(response.body).toEqual({ data: { image: { id: sampleImage.id, labels: [{ name: 'Cat' }] } } });
    expect(served.runtime.calls.map((call) => call.info.selectionSetList)).toEqual([['id', 'labels', 'labels/name']]);
  });
});

describe('Local AppSync: expanded size limit (offline only)', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(ApiLimits.prod);
  });
  afterAll(() => stop(served));

  /** `perLevel` aliases at each level, each spreading the next level's fragment: perLevel^4 fields from a small document. */
  const aliasFanOut = (perLevel: number) => {
    const aliases = (field: string, fragment: string) => Array.from({ length: perLevel }, (_, index) => `a${index}: ${field} { ...${fragment} }`).join(' ');
    return (
      `{ imagesByLabel(label: "cat") { ${aliases('items', 'M')} } } fragment M on Image { ${aliases('labels', 'L')} } ` +
      `fragment L on Label { ${aliases('instances', 'I')} } fragment I on Instance { ${aliases('boundingBox', 'B')} } fragment B on BoundingBox { left }`
    );
  };

  it(`refuses a 2 KB document that expands past ${maxExpandedSelections} fields, before running anything`, async () => {
    // Act: 20^4 = 160,000 boundingBox selections
    const response = await served.query(aliasFanOut(20));

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: null,
      errors: [
        {
          path: null,
          data: null,
          errorType: 'QueryComplexityLimitReached',
          errorInfo: null,
          locations: [],
          message: `Query selects more than ${maxExpandedSelections} fields once its fragments are expanded.`,
        },
      ],
    });
    expect(served.runtime.calls).toHaveLength(0);
  });

  it('runs the same shape within the limit', async () => {
    // Prepare
    const callsBefore = served.runtime.calls.length;

    // Act: 3^4 = 81 boundingBox selections
    const response = await served.query(aliasFanOut(3));

    // Assess
    expect(response.body.errors).toBeUndefined();
    expect(served.runtime.calls).toHaveLength(callsBefore + 1);
  });
});

describe('Local AppSync: parser limits (graphql-java\'s tokens and nesting)', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(ApiLimits.dev);
  });
  afterAll(() => stop(served));

  const cancelledSyntax = (what: string) => ({
    data: null,
    errors: [
      {
        path: null,
        locations: [expect.objectContaining({ line: 1 })],
        message: `Invalid Syntax : ${what} To prevent Denial Of Service attacks, parsing has been cancelled.`,
      },
    ],
  });
  const tooDeep = cancelledSyntax(`More than ${maxNestingDepth} deep 'grammar' rules have been entered.`);
  /** `{ a0: __typename a1: __typename … }`: 3 tokens an alias, 2 for the braces. */
  const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: __typename`).join(' ')} }`;
  /** `{ image(id: [[…1…]]) { id } }` with brackets nested `depth` deep in all ({, ( and the lists). */
  const nestedList = (depth: number) => `{ image(id: ${'['.repeat(depth - 2)}1${']'.repeat(depth - 2)}) { id } }`;

  it('answers selection sets, lists, objects and inline fragments nested 20,000 deep with a syntax error, not a 500', async () => {
    // Act: graphql-js recurses once a level and overflows its stack well before 20,000
    const answers = await Promise.all([
      served.query(`${'{a'.repeat(20_000)}${'}'.repeat(20_000)}`),
      served.query(nestedList(20_000)),
      served.query(`{ image(id: ${'{a:'.repeat(20_000)}1${'}'.repeat(20_000)}) { id } }`),
      served.query(`{ ${'... on Query {'.repeat(20_000)} __typename ${'}'.repeat(20_000)} }`),
    ]);

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(tooDeep);
    }
    expect(served.runtime.calls).toHaveLength(0);
  });

  it(`parses brackets nested ${maxNestingDepth} deep, and refuses one more`, async () => {
    // Act
    const within = await served.query(nestedList(maxNestingDepth));
    const past = await served.query(nestedList(maxNestingDepth + 1));

    // Assess: within the limit the list reaches validation, which refuses a list for an ID
    expect(within.body.errors?.[0]?.message).toMatch(/^Validation error of type WrongType/);
    expect(past.body).toEqual(tooDeep);
  });

  it('answers a chain of 10,000 fragments, each spreading the next, with a syntax error, not a 500', async () => {
    // Prepare
    const chain = Array.from({ length: 10_000 }, (_, index) => `fragment F${index} on Query { __typename ${index < 9_999 ? `...F${index + 1}` : ''} }`);

    // Act
    const answer = await served.query(`{ ...F0 } ${chain.join(' ')}`);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(cancelledSyntax(`More than ${maxDocumentTokens} 'grammar' tokens have been presented.`));
  });

  it(`answers a document within ${maxDocumentTokens} tokens, and refuses one alias more`, async () => {
    // Act: 4,999 aliases are 14,999 tokens; 5,000 are 15,002
    const within = await served.query(aliases(4_999));
    const past = await served.query(aliases(5_000));

    // Assess
    expect(within.body.errors).toBeUndefined();
    expect(Object.keys(within.body.data as object)).toHaveLength(4_999);
    expect(past.body).toEqual(cancelledSyntax(`More than ${maxDocumentTokens} 'grammar' tokens have been presented.`));
  });
});
