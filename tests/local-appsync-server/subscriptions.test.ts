import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { LiveSubscription } from '../../local/appsync/realtime/subscriptions.ts';
import { matchesArguments, matchesSubscription, subscriptionRegistry } from '../../local/appsync/realtime/subscriptions.ts';
import { fragmentsOf, unaliased } from '../../local/appsync/server/execute.ts';
import { buildServedSchema } from '../../local/appsync/server/schema.ts';

const idFilter = (id: string) => ({ filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: id }] }] });

describe('subscription matching', () => {
  it('applies basic filtering: given arguments equal the payload fields', () => {
    expect(matchesArguments({}, { id: '1' })).toBe(true);
    expect(matchesArguments({ id: '1' }, { id: '1', status: 'LABELED' })).toBe(true);
    expect(matchesArguments({ id: '2' }, { id: '1' })).toBe(false);
    // An argument the payload lacks cannot match (AppSync needs the field in the mutation's selection).
    expect(matchesArguments({ imageId: '1' }, { id: '1' })).toBe(false);
  });

  it('uses the resolver’s enhanced filter instead when it set one', () => {
    expect(matchesSubscription({ arguments: { imageId: '1' }, filter: idFilter('1') }, { id: '1' })).toBe(true);
    expect(matchesSubscription({ arguments: { imageId: '2' }, filter: idFilter('2') }, { id: '1' })).toBe(false);
  });
});

describe('unaliased', () => {
  it('keys a response by field names and keeps only what was selected', () => {
    const document = parse('mutation { p: publishImageLabeled(input: $i) { theId: id labels { n: name } ... on Image { status } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const field = operation.selectionSet.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD)!;
    const value = { theId: '1', labels: [{ n: 'Cat' }], status: 'LABELED' };
    expect(unaliased(value, field, fragmentsOf(document))).toEqual({ id: '1', labels: [{ name: 'Cat' }], status: 'LABELED' });
  });
});

describe('subscriptionRegistry', () => {
  const served = buildServedSchema();
  const live = (id: string, overrides: Partial<LiveSubscription>, log: string[]): LiveSubscription => ({
    id,
    fieldName: 'onImageLabeled',
    arguments: {},
    filter: undefined,
    invalidationFilter: undefined,
    document: parse('subscription { onImageLabeled { id fileName } }'),
    operationName: null,
    variables: {},
    caller: { mode: 'API_KEY', identity: null },
    send: (payload) => log.push(`${id} ${JSON.stringify(payload)}`),
    end: () => log.push(`${id} ended`),
    ...overrides,
  });

  it('publishes a mutation to the subscriptions that subscribe to it, projected', async () => {
    const log: string[] = [];
    const registry = subscriptionRegistry(served);
    registry.add(live('a', { filter: idFilter('1') }, log));
    registry.add(live('b', { filter: idFilter('2') }, log));
    expect(await registry.publish('publishImageLabeled', { id: '1' })).toBe(1);
    expect(await registry.publish('requestUpload', { id: '1' })).toBe(0);
    // fileName was not in the mutation's selection: null, as on AppSync.
    expect(log).toEqual(['a {"data":{"onImageLabeled":{"id":"1","fileName":null}}}']);
  });

  it('reports a non-null field the mutation did not select, as AppSync does', async () => {
    const log: string[] = [];
    const registry = subscriptionRegistry(served);
    registry.add(live('a', { document: parse('subscription { onImageLabeled { id status } }') }, log));
    await registry.publish('publishImageLabeled', { id: '1' });
    expect(JSON.parse(log[0]!.slice(2))).toMatchObject({
      data: { onImageLabeled: null },
      errors: [{ path: ['onImageLabeled', 'status'], message: 'Cannot return null for non-nullable field Image.status.' }],
    });
  });

  it('ends subscriptions whose invalidation filter matches', () => {
    const log: string[] = [];
    const registry = subscriptionRegistry(served);
    registry.add(live('a', { invalidationFilter: idFilter('1') }, log));
    registry.add(live('b', { invalidationFilter: idFilter('2') }, log));
    registry.add(live('c', {}, log));
    expect(registry.invalidate('onImageLabeled', { id: '1' })).toBe(1);
    expect(log).toEqual(['a ended']);
  });
});
