/**
 * The APPSYNC_JS sandbox: resolver code sees no Node globals, `util` works
 * without an import, resolver code may call only the built-in methods the
 * runtime offers, values cross as JSON of the sandbox's own realm, a
 * runaway loop fails only its own request, and the built-in
 * @aws-appsync/utils/dynamodb module works against a real dynalite.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createResolverRuntime } from '../../local/appsync/resolvers/index.ts';
import { fieldArgs, pipelineField, startHarness, unitField, type Harness } from './harness.ts';

const unreachableDynamoDb = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

/** A runtime with NONE data sources only, and a short time limit so the runaway test is quick. */
const noneRuntime = () =>
  createResolverRuntime({
    dynamoDb: unreachableDynamoDb,
    tableNames: { imagesTable: 'unused' },
    invokeLambda: async () => null,
    tokenSecret: 'secret',
    evaluationTimeoutMs: 250,
  });

const globals = unitField('Query', 'globals', 'sandbox/globals', 'none');
const escape = unitField('Query', 'escape', 'sandbox/escape', 'none');
const runaway = unitField('Query', 'runaway', 'sandbox/runaway', 'none');
const jsonValues = unitField('Query', 'jsonValues', 'sandbox/json-values', 'none');

describe('Sandbox: globals', () => {
  it('has no Node globals, a console as AppSync offers, and util without an import', async () => {
    const result = await noneRuntime().resolveField(fieldArgs(globals, { list: [1, 2], nested: { inner: ['a'] } }));
    expect(result.errors).toEqual([]);
    expect(result.data).toMatchObject({
      process: 'undefined',
      require: 'undefined',
      module: 'undefined',
      buffer: 'undefined',
      setTimeout: 'undefined',
      fetch: 'undefined',
      console: 'object',
      crypto: 'undefined',
      globalNames: [],
      listIsArray: true,
      listIsThisRealmsArray: true,
      nestedIsArray: true,
    });
    expect((result.data as { id: string }).id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('cannot build code from strings, so a constructor chain reaches nothing', async () => {
    const result = await noneRuntime().resolveField(fieldArgs(escape, {}));
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([{ errorType: 'Code', message: expect.stringMatching(/Code generation from strings disallowed/) }]);
  });
});

describe('Sandbox: built-in methods', () => {
  const builtins = unitField('Query', 'builtins', 'sandbox/builtins', 'none');
  const values = { id: 'abc-def-ghi', words: ['a', 'b', 'c'], codes: [65] };

  it.each([
    ['padStart', 'String.prototype.padStart'],
    ['arrayFrom', 'Array.from'],
    ['fromCharCode', 'String.fromCharCode'],
    ['call', 'Function.prototype.call'],
    // Reached only as the answer is serialized: the returned value's toJSON.
    ['toJSON', 'String.prototype.padStart'],
  ])('fails the field, naming the method, when resolver code calls one the runtime lacks (%s, on an any value)', async (mode, method) => {
    const result = await noneRuntime().resolveField(fieldArgs(builtins, { mode, ...values }));
    expect(result).toEqual({ data: null, errors: [{ errorType: 'Code', message: `TypeError: ${method} is not supported by the APPSYNC_JS runtime` }] });
  });

  it('fails the field when a getter resolver code put on ctx.stash calls a method the runtime lacks, as the stash is serialized', async () => {
    const result = await noneRuntime().resolveField(fieldArgs(builtins, { mode: 'stashGetter', ...values }));
    expect(result).toEqual({ data: null, errors: [{ errorType: 'Code', message: 'ctx.stash is not JSON: TypeError: String.fromCharCode is not supported by the APPSYNC_JS runtime' }] });
  });

  it('leaves the conversions the language makes through a denied method alone: an array interpolated or joined nested', async () => {
    const result = await noneRuntime().resolveField(fieldArgs(builtins, { mode: 'conversions', ...values }));
    expect(result).toEqual({ data: { nested: 'a,b,c;a,b,c', interpolated: 'a,b,c' }, errors: [] });
  });

  it('runs the methods the runtime offers, and the runtime itself uses refused ones inside util', async () => {
    const result = await noneRuntime().resolveField(fieldArgs(builtins, { mode: 'supported', ...values }));
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({
      keys: ['id', 'words', 'codes'],
      json: '{"words":["A","B","C"]}',
      parts: ['abc', 'def', 'ghi'],
      joined: 'A+B+C',
      includes: true,
      sliced: 'abc',
      entries: [['a', 1]],
      max: 65,
      // util.autoId pads with padStart, util.escapeJavaScript reads charCodeAt, the time formatter pads too.
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      escaped: '\\u00E9',
      formatted: '1970-01-01 00:00:00.000',
    });
  });
});

describe('Sandbox: values returned', () => {
  it('hands the host what JSON.stringify writes of a value: toJSON applied, undefined and functions dropped, NaN null, integer keys first', async () => {
    const result = await noneRuntime().resolveField(fieldArgs(jsonValues, { mode: 'object' }));
    expect(result.errors).toEqual([]);
    // The exact text, key order included.
    expect(JSON.stringify(result.data)).toBe(
      '{"2":"two","10":"ten","notANumber":null,"infinite":null,"list":[1,null,"two",null],"custom":{"from":"toJSON"},"zero":0,' +
        '"later":"string key","surrogate":"\\ud800","quoted":"a \\"quote\\" and \\\\ and \\n","nested":{"deep":[{"x":1.5e+300,"y":1e+21}]}}',
    );
  });

  it('gives null for a handler that returns a function or undefined', async () => {
    const runtime = noneRuntime();
    expect(await runtime.resolveField(fieldArgs(jsonValues, { mode: 'function' }))).toEqual({ data: null, errors: [] });
    expect(await runtime.resolveField(fieldArgs(jsonValues, { mode: 'undefined' }))).toEqual({ data: null, errors: [] });
  });
});

describe('Sandbox: time limit', () => {
  it('fails a runaway request with ExecutionTimeout, and answers the next one', async () => {
    const runtime = noneRuntime();
    const stuck = await runtime.resolveField(fieldArgs(runaway, { spin: true }));
    expect(stuck).toEqual({ data: null, errors: [{ errorType: 'ExecutionTimeout', message: 'Execution timed out.' }] });
    const next = await runtime.resolveField(fieldArgs(runaway, { spin: false }));
    expect(next).toEqual({ data: { turns: 0 }, errors: [] });
    const other = await runtime.resolveField(fieldArgs(globals, { list: [], nested: { inner: [] } }));
    expect(other.errors).toEqual([]);
  });

  it('times a handler chained after another on its own (a pipeline function runs away), and answers the next one', async () => {
    // The resolver's request and the function's request go to the sandbox thread in one round trip.
    const piped = pipelineField('pipedRunaway', [{ fixture: 'sandbox/runaway', dataSource: 'none' }]);
    const runtime = noneRuntime();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const stuck = await runtime.resolveField(fieldArgs(piped, { spin: true }));
      expect(stuck).toEqual({ data: null, errors: [{ errorType: 'ExecutionTimeout', message: 'Execution timed out.' }] });
      // The log names the handler that ran away, not the one before it in the round trip.
      expect(logged).toHaveBeenCalledWith(expect.stringMatching(/sandbox\/runaway\.ts request\(\) ran longer than 250 ms$/));
    } finally {
      logged.mockRestore();
    }
    const next = await runtime.resolveField(fieldArgs(piped, { spin: false }));
    expect(next).toEqual({ data: { last: { turns: 0 }, trail: ['before', 'after'] }, errors: [] });
  });
});

describe('Sandbox: @aws-appsync/utils/dynamodb', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(async () => null);
  });
  afterAll(async () => harness?.close());

  const ddb = unitField('Mutation', 'ddb', 'sandbox/ddb-module', 'imagesTable');
  const run = async (args: Record<string, unknown>) => {
    const result = await harness.runtime.resolveField(fieldArgs(ddb, args));
    expect(result.errors).toEqual([]);
    return result.data as Record<string, unknown>;
  };

  it('puts with a condition, gets with a projection, updates with operations, queries, scans and removes', async () => {
    expect(await run({ op: 'put', id: 'd1', name: 'delta' })).toMatchObject({ id: 'd1', name: 'delta', visits: 0, tags: ['a'] });
    const again = await harness.runtime.resolveField(fieldArgs(ddb, { op: 'put', id: 'd1', name: 'other' }));
    expect(again.errors).toEqual([expect.objectContaining({ errorType: 'DynamoDB:ConditionalCheckFailedException' })]);

    expect(await run({ op: 'get', id: 'd1' })).toEqual({ id: 'd1', name: 'delta', visits: 0, tags: ['a'] });

    const updated = await run({ op: 'update', id: 'd1', name: 'delta2', tags: ['b', 'c'] });
    expect(updated).toMatchObject({ name: 'delta2', visits: 2, tags: ['a', 'b', 'c'], nickname: 'nick' });
    expect(updated).not.toHaveProperty('sortKey');

    await run({ op: 'put', id: 'd2', name: 'dora' });
    await run({ op: 'put', id: 'd3', name: 'dune' });
    const queried = (await run({ op: 'query', name: 'du' })) as { items: { id: string }[] };
    expect(queried.items.map((item) => item.id)).toEqual(['d3']);
    const scanned = (await run({ op: 'scan' })) as { items: { id: string }[] };
    expect(scanned.items.map((item) => item.id).sort()).toEqual(['d1', 'd2', 'd3']);

    expect(await run({ op: 'remove', id: 'd2' })).toMatchObject({ id: 'd2' });
    expect(await harness.runtime.resolveField(fieldArgs(ddb, { op: 'get', id: 'd2' }))).toEqual({ data: null, errors: [] });
  });
});
