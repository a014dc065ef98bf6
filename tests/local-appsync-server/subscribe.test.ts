/**
 * server/subscribe.ts, the realtime sibling of execute.ts: a subscription's
 * start goes through the same execution context as a query (field auth,
 * argument coercion, the resolver, AppSync's error shapes), and each
 * published payload is run through the subscriber's own selection set.
 */
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../local/appsync/server/auth.ts';
import { executeOperation } from '../../local/appsync/server/execute.ts';
import { buildServedSchema } from '../../local/appsync/server/schema.ts';
import { subscribeOperation, type SubscribeOutcome } from '../../local/appsync/server/subscribe.ts';
import { fakeRuntime } from './fake-runtime.ts';

const served = buildServedSchema();
const apiKeyCaller: Caller = { mode: 'API_KEY', identity: null };
const request = { headers: {}, domainName: null };

const iamCaller = (allowed: (typeName: string, fieldName: string) => boolean): Caller => ({
  mode: 'AWS_IAM',
  identity: {
    accountId: '000000000000',
    cognitoIdentityPoolId: null,
    cognitoIdentityId: null,
    sourceIp: ['127.0.0.1'],
    username: 'AIDAEXAMPLE',
    userArn: 'arn:aws:iam::000000000000:user/example',
    cognitoIdentityAuthType: null,
    cognitoIdentityAuthProvider: null,
  },
  mayAccessRootField: allowed,
});

function start(query: string, options: { caller?: Caller; variables?: Record<string, unknown> } = {}) {
  return subscribeOperation({
    served,
    runtime: fakeRuntime(),
    caller: options.caller ?? apiKeyCaller,
    body: { query, variables: options.variables ?? {}, operationName: null },
    request,
  });
}

function started(outcome: SubscribeOutcome) {
  if (!outcome.ok) throw new Error(`subscription refused: ${JSON.stringify(outcome)}`);
  return outcome.subscription;
}

describe('subscribeOperation', () => {
  it('runs each published payload through the subscriber’s selection set, in order', async () => {
    // Arrange
    const subscription = started(await start('subscription { onImageLabeled { id fileName } }'));

    // Act
    const published = subscription.publish({ id: '1' });
    const first = await subscription.events.next();
    void subscription.publish({ id: '2', fileName: 'b.jpg' });
    const second = await subscription.events.next();

    // Assess: fileName was not in the first mutation's selection, so null, as on AppSync.
    expect(first.value).toEqual({ data: { onImageLabeled: { id: '1', fileName: null } } });
    expect(second.value).toEqual({ data: { onImageLabeled: { id: '2', fileName: 'b.jpg' } } });
    await published;
    subscription.close();
    expect((await subscription.events.next()).done).toBe(true);
  });

  it('reports a non-null field the mutation did not select, as AppSync does', async () => {
    const subscription = started(await start('subscription { onImageLabeled { id status } }'));
    void subscription.publish({ id: '1' });
    expect((await subscription.events.next()).value).toMatchObject({
      data: { onImageLabeled: null },
      errors: [{ path: ['onImageLabeled', 'status'], message: 'Cannot return null for non-nullable field Image.status.' }],
    });
  });

  it('keeps the resolver’s filter and the coerced arguments for matching', async () => {
    const subscription = started(await start('subscription S($id: ID) { onImageLabeled(imageId: $id) { id } }', { variables: { id: 'img-9' } }));
    expect(subscription.fieldName).toBe('onImageLabeled');
    expect(subscription.arguments).toEqual({ imageId: 'img-9' });
    expect(subscription.filter).toEqual({ filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: 'img-9' }] }] });
  });

  it('refuses a caller whose auth mode may not read the root field with the error a query gets', async () => {
    // Act: an IAM signer (client fields take API keys and user pools only), over realtime and over HTTP.
    const caller = iamCaller(() => true);
    const subscription = await start('subscription { onImageLabeled { id } }', { caller });
    const query = await executeOperation({ served, runtime: fakeRuntime(), caller, body: { query: '{ image(id: "img-1") { id } }', variables: {}, operationName: null }, request });

    // Assess
    const unauthorized = { data: null, errorType: 'Unauthorized', errorInfo: null };
    expect(subscription).toEqual({
      ok: false,
      reason: 'refused',
      errors: [{ ...unauthorized, path: ['onImageLabeled'], locations: [{ line: 1, column: 16, sourceName: null }], message: 'Not Authorized to access onImageLabeled on type Subscription' }],
    });
    expect(query.response.errors).toEqual([
      { ...unauthorized, path: ['image'], locations: [{ line: 1, column: 3, sourceName: null }], message: 'Not Authorized to access image on type Query' },
    ]);
  });

  it('returns the resolver’s error in the field error shape', async () => {
    const outcome = await start('subscription { s: onImageLabeled(imageId: "forbidden") { id } }');
    expect(outcome).toEqual({
      ok: false,
      reason: 'refused',
      errors: [{ path: ['s'], data: null, errorType: 'NotFound', errorInfo: null, locations: [{ line: 1, column: 16, sourceName: null }], message: 'no such image' }],
    });
  });

  it('refuses variables that do not coerce, naming the variable', async () => {
    const outcome = await start('subscription S($id: ID) { onImageLabeled(imageId: $id) { id } }', { variables: { id: { nested: true } } });
    expect(outcome).toMatchObject({ ok: false, reason: 'refused', errors: [{ path: null, message: expect.stringContaining('$id') }] });
  });

  it('tells a query or mutation apart from a subscription', async () => {
    expect(await start('{ image(id: "img-1") { id } }')).toEqual({ ok: false, reason: 'not-a-subscription' });
  });

  it('refuses @skip or @include on the root field, directly or through fragments, as a validation error', async () => {
    // Act: graphql-js 16's subscribe() throws on a root field a directive removed
    const outcomes = await Promise.all([
      start('subscription { onImageLabeled @skip(if: true) { id } }'),
      start('subscription S($on: Boolean!) { ...Root } fragment Root on Subscription { ... @include(if: $on) { onImageLabeled { id } } }', { variables: { on: false } }),
    ]);

    // Assess
    expect(outcomes).toEqual([
      {
        ok: false,
        reason: 'refused',
        errors: [
          {
            path: null,
            locations: [{ line: 1, column: 16, sourceName: null }],
            message: 'Validation error of type InvalidSyntax: Anonymous Subscription must not use `@skip` or `@include` directives in the top level selection.',
          },
        ],
      },
      {
        ok: false,
        reason: 'refused',
        errors: [expect.objectContaining({ message: 'Validation error of type InvalidSyntax: Subscription "S" must not use `@skip` or `@include` directives in the top level selection.' })],
      },
    ]);
  });

  it('refuses an invalid document with the validation errors a query gets', async () => {
    const outcome = await start('subscription { onImageLabeled { nope } }');
    expect(outcome).toMatchObject({ ok: false, reason: 'refused', errors: [{ message: expect.stringMatching(/^Validation error of type FieldUndefined/) }] });
  });
});
