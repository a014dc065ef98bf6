/** Resolver evaluation (unit, pipeline, earlyReturn, util.error, appendError) against a real dynalite. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldArgs, pipelineField, startHarness, tableName, unitField, type Harness } from './harness.ts';

let harness: Harness;
const lambdaCalls: unknown[] = [];

beforeAll(async () => {
  harness = await startHarness(async (name, payload) => {
    lambdaCalls.push({ name, payload });
    const prev = (payload as { prev?: { item?: { id?: string } } }).prev;
    if (prev?.item?.id === 'boom') throw new Error('function exploded');
    return { name, payload };
  });
});
afterAll(async () => harness?.close());

const put = unitField('Mutation', 'put', 'item-put', 'imagesTable');
const get = unitField('Query', 'get', 'item-get', 'imagesTable');
const update = unitField('Mutation', 'update', 'item-update', 'imagesTable');
const query = unitField('Query', 'list', 'items-query', 'imagesTable');
const errors = unitField('Mutation', 'errors', 'errors', 'none');

describe('unit resolvers on DynamoDB', () => {
  it('puts, gets and updates an item, unmarshalled to plain JSON', async () => {
    const written = await harness.runtime.resolveField(fieldArgs(put, { id: 'a', name: 'alpha', tags: ['x', 'y'] }));
    expect(written.errors).toEqual([]);
    expect(written.data).toEqual({
      result: { pk: 'ITEM#a', sk: 'ITEM', id: 'a', name: 'alpha', tags: ['x', 'y'], group: 'g', sortKey: 'alpha#a' },
      error: null,
    });
    const read = await harness.runtime.resolveField(fieldArgs(get, { id: 'a' }));
    expect(read).toMatchObject({ data: { id: 'a', name: 'alpha', tags: ['x', 'y'] }, errors: [] });

    const updated = await harness.runtime.resolveField(fieldArgs(update, { id: 'a', name: 'renamed' }));
    expect(updated.errors).toEqual([]);
    expect(updated.data).toMatchObject({ name: 'renamed', version: 1 });
  });

  it('gives null for a missing item', async () => {
    expect(await harness.runtime.resolveField(fieldArgs(get, { id: 'nope' }))).toEqual({ data: null, errors: [] });
  });

  it('treats a repeated identical put as done, and a conflicting one as ConditionalCheckFailed', async () => {
    await harness.runtime.resolveField(fieldArgs(put, { id: 'b', name: 'beta' }));
    const same = await harness.runtime.resolveField(fieldArgs(put, { id: 'b', name: 'beta' }));
    expect(same.data).toMatchObject({ error: null, result: { id: 'b', name: 'beta' } });

    const conflicting = await harness.runtime.resolveField(fieldArgs(put, { id: 'b', name: 'other' }));
    const { result, error } = conflicting.data as { result: unknown; error: { type: string; message: string } };
    expect(error.type).toBe('DynamoDB:ConditionalCheckFailedException');
    expect(error.message).toMatch(/^The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: .+\)$/);
    expect(result).toMatchObject({ id: 'b', name: 'beta' });
  });

  it('fails an update whose condition does not hold, through util.error in the response', async () => {
    const missing = await harness.runtime.resolveField(fieldArgs(update, { id: 'ghost', name: 'x' }));
    expect(missing.data).toBeNull();
    expect(missing.errors).toEqual([
      expect.objectContaining({ errorType: 'DynamoDB:ConditionalCheckFailedException' }),
    ]);
  });

  it('pages a Query with signed nextTokens and refuses forged ones', async () => {
    for (const id of ['c1', 'c2', 'c3', 'c4']) await harness.runtime.resolveField(fieldArgs(put, { id, name: `n-${id}` }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await harness.runtime.resolveField(fieldArgs(query, { limit: 2, nextToken }));
      expect(page.errors).toEqual([]);
      const result = page.data as { items: { id: string }[]; nextToken: string | null; scannedCount: number };
      expect(result.scannedCount).toBe(result.items.length);
      seen.push(...result.items.map((item) => item.id));
      nextToken = result.nextToken ?? undefined;
      pages++;
    } while (nextToken && pages < 10);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['a', 'b', 'c1', 'c2', 'c3', 'c4']));

    const first = await harness.runtime.resolveField(fieldArgs(query, { limit: 1 }));
    const token = (first.data as { nextToken: string }).nextToken;
    const [body] = token.split('.');
    const forged = `${body}.${Buffer.from('not the mac').toString('base64url')}`;
    for (const bad of [forged, 'garbage', `${token}x`]) {
      const refused = await harness.runtime.resolveField(fieldArgs(query, { limit: 1, nextToken: bad }));
      expect(refused.data).toBeNull();
      expect(refused.errors).toEqual([
        {
          errorType: 'DynamoDB:UserIllegalArgumentException',
          message: 'com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given.',
        },
      ]);
    }
  });

  it('applies filters built with util.transform', async () => {
    const filtered = await harness.runtime.resolveField(fieldArgs(query, { limit: 50, startsWith: 'n-c' }));
    const ids = (filtered.data as { items: { id: string }[] }).items.map((item) => item.id).sort();
    expect(ids).toEqual(['c1', 'c2', 'c3', 'c4']);
  });
});

describe('errors and early return', () => {
  it('keeps appended errors and returns data', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(errors, { mode: 'fine' }));
    expect(result.data).toEqual({ ok: 'fine' });
    expect(result.errors).toEqual([
      { message: 'first problem', errorType: 'Warning', data: { some: 'data' }, errorInfo: { hint: 1 } },
      { message: 'second problem' },
    ]);
  });

  it('ends the field on util.error in the request, skipping data source and response', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(errors, { mode: 'errorInRequest' }));
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      { message: 'first problem', errorType: 'Warning', data: { some: 'data' }, errorInfo: { hint: 1 } },
      { message: 'stopped in request', errorType: 'BadRequest', data: null, errorInfo: { field: 'mode' } },
    ]);
  });

  it('ends the field on util.error in the response', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(errors, { mode: 'errorInResponse' }));
    expect(result.data).toBeNull();
    expect(result.errors.map((error) => error.message)).toEqual(['first problem', 'second problem', 'stopped in response']);
  });

  it('words util.unauthorized like AppSync', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(errors, { mode: 'unauthorized' }));
    expect(result.errors.at(-1)).toEqual({ errorType: 'Unauthorized', message: 'Not Authorized to access errors on type Mutation' });
  });

  it('reports a crashing handler as a Code error', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(errors, { mode: 'crash' }));
    expect(result.data).toBeNull();
    expect(result.errors.at(-1)).toMatchObject({ errorType: 'Code' });
  });

  it('returns early from a unit request without calling the response', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(errors, { mode: 'early' }, { userArn: 'arn:aws:iam::1:user/x', accountId: '1' }));
    expect(result.data).toEqual({ early: true, authType: 'IAM Authorization' });
    expect(result.errors.map((error) => error.message)).toEqual(['first problem']);
  });
});

describe('pipeline resolvers', () => {
  const pipeline = pipelineField('piped', [
    { fixture: 'pipeline-put', dataSource: 'imagesTable' },
    { fixture: 'pipeline-echo', dataSource: 'presignUploadFunction' },
  ]);

  it('chains ctx.prev.result and shares the stash', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(pipeline, { id: 'p1' }));
    expect(result.errors).toEqual([]);
    const data = result.data as { last: { from: string; echoed: { name: string; payload: unknown } }; trail: string[] };
    expect(data.trail).toEqual([
      'before',
      'put.request(prev=before)',
      'put.response',
      'echo.request(prev=put)',
      'echo.response',
      'after',
    ]);
    expect(data.last.from).toBe('echo');
    expect(data.last.echoed.name).toBe('presignUpload');
    expect(data.last.echoed.payload).toEqual({
      prev: { from: 'put', item: { pk: 'ITEM#p1', sk: 'ITEM', id: 'p1', name: 'piped' } },
    });
  });

  it('keeps what each handler appends (errors, stash) through every later handler', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(pipeline, { id: 'p5', note: 'kept along the pipeline' }));
    expect(result.errors).toEqual([{ message: 'kept along the pipeline', errorType: 'Note' }]);
    expect((result.data as { trail: string[] }).trail).toEqual([
      'before',
      'put.request(prev=before)',
      'put.response',
      'echo.request(prev=put)',
      'echo.response',
      'after',
    ]);
  });

  it('skips a function\'s data source and response on earlyReturn in its request', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(pipeline, { id: 'p2', skip: 'put' }));
    const data = result.data as { last: { echoed: { payload: unknown } }; trail: string[] };
    expect(data.trail).toEqual(['before', 'put.request(prev=before)', 'echo.request(prev=put-skipped)', 'echo.response', 'after']);
    expect(data.last.echoed.payload).toEqual({ prev: { from: 'put-skipped' } });
  });

  it('skips to the resolver response with skipTo END', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(pipeline, { id: 'p3', skip: 'end' }));
    expect(result.data).toEqual({ last: { from: 'put-ended' }, trail: ['before', 'put.request(prev=before)', 'after'] });
  });

  it('fails a handler whose stash is not JSON with a Code error, though the next handler was sent along with it', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(pipeline, { id: 'p6', skip: 'cyclic-stash' }));
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ errorType: 'Code', message: expect.stringContaining('ctx.stash is not JSON') })]);
  });

  it('skips the whole pipeline on earlyReturn in the resolver request', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(pipeline, { id: 'p4', skip: 'all' }));
    expect(result.data).toEqual({ last: { skipped: 'all' }, trail: ['before', 'after'] });
  });

  it('surfaces a Lambda failure as ctx.error of type Lambda:Unhandled', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(pipeline, { id: 'boom' }));
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([{ errorType: 'Lambda:Unhandled', message: 'function exploded' }]);
  });
});

describe('subscription resolvers', () => {
  const subscribe = unitField('Subscription', 'onItem', 'subscribe', 'none');

  it('records the filters set by extensions', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(subscribe, { id: 'x', minSize: 10 }));
    expect(result.data).toBeNull();
    expect(result.subscriptionFilter).toEqual({
      filterGroup: [
        {
          filters: [
            { fieldName: 'id', operator: 'eq', value: 'x' },
            { fieldName: 'sizeBytes', operator: 'ge', value: 10 },
          ],
        },
      ],
    });
    expect(result.subscriptionInvalidationFilter).toEqual({
      filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: 'gone' }] }],
    });
  });

  it('sets no filter when the resolver sets none', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(subscribe, {}));
    expect(result.subscriptionFilter).toBeUndefined();
  });
});

describe('batch operations and Scan', () => {
  const batch = unitField('Mutation', 'batch', 'batch', 'imagesTable');
  const run = async (op: string, ids: string[]) => {
    const result = await harness.runtime.resolveField(fieldArgs(batch, { op, table: tableName, ids }));
    expect(result.errors).toEqual([]);
    return result.data as Record<string, Record<string, unknown[]>>;
  };

  it('puts, gets (in key order, null when missing), scans and deletes', async () => {
    const put = await run('put', ['x', 'y']);
    expect(put.data[tableName]).toEqual([
      { pk: 'BATCH#x', sk: 'ITEM', id: 'x' },
      { pk: 'BATCH#y', sk: 'ITEM', id: 'y' },
    ]);
    expect(put.unprocessedItems[tableName]).toEqual([]);

    const got = await run('get', ['y', 'missing', 'x']);
    expect(got.data[tableName]).toEqual([{ pk: 'BATCH#y', sk: 'ITEM', id: 'y' }, null, { pk: 'BATCH#x', sk: 'ITEM', id: 'x' }]);

    const scanned = (await run('scan', [])) as unknown as { items: { id: string }[]; nextToken: string | null };
    expect(scanned.items.map((item) => item.id).sort()).toEqual(['x', 'y']);
    expect(scanned.nextToken).toBeNull();

    await run('delete', ['x']);
    expect((await run('get', ['x', 'y'])).data[tableName]).toEqual([null, { pk: 'BATCH#y', sk: 'ITEM', id: 'y' }]);
  });
});
