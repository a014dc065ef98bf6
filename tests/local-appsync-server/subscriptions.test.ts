import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { LiveSubscription } from '../../local/appsync/realtime/subscriptions.ts';
import { matchesArguments, matchesSubscription, subscriptionRegistry } from '../../local/appsync/realtime/subscriptions.ts';
import { fragmentsOf } from '../../local/appsync/server/documents.ts';
import { unaliased } from '../../local/appsync/server/unaliased.ts';
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
    deliver: async (payload) => {
      log.push(`${id} ${JSON.stringify(payload)}`);
    },
    end: () => log.push(`${id} ended`),
    ...overrides,
  });

  it('fans a mutation out to the subscriptions on it whose filter matches', async () => {
    const log: string[] = [];
    const registry = subscriptionRegistry(served);
    registry.add(live('a', { filter: idFilter('1') }, log));
    registry.add(live('b', { filter: idFilter('2') }, log));
    expect(await registry.fanOut('publishImageLabeled', { id: '1' })).toBe(1);
    expect(await registry.fanOut('requestUpload', { id: '1' })).toBe(0);
    expect(log).toEqual(['a {"id":"1"}']);
  });

  it('waits until each subscriber handled its payload before it resolves', async () => {
    const log: string[] = [];
    const registry = subscriptionRegistry(served);
    let handled!: () => void;
    registry.add(live('a', { deliver: () => new Promise<void>((resolve) => (handled = resolve)) }, log));
    let settled = false;
    const fanOut = registry.fanOut('publishImageLabeled', { id: '1' }).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    handled();
    await fanOut;
    expect(settled).toBe(true);
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
