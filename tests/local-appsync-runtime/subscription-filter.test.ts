import { describe, expect, it } from 'vitest';
import { matchesSubscriptionFilter } from '../../local/appsync/resolvers/index.ts';

const group = (...filters: { fieldName: string; operator: string; value: unknown }[]) => ({ filters });
const one = (fieldName: string, operator: string, value: unknown) => ({ filterGroup: [group({ fieldName, operator, value })] });

const ticket = {
  id: 't1',
  severity: 7,
  priority: 'high',
  group: 'Admin',
  tags: ['security', 'urgent'],
  content: 'disk almost full',
  owner: { team: 'ops' },
};

describe('matchesSubscriptionFilter', () => {
  it.each([
    ['eq', 'priority', 'high', true],
    ['eq', 'priority', 'low', false],
    ['ne', 'priority', 'low', true],
    ['le', 'severity', 7, true],
    ['lt', 'severity', 7, false],
    ['ge', 'severity', 8, false],
    ['gt', 'severity', 6, true],
    ['gt', 'severity', '6', false],
    ['contains', 'content', 'almost', true],
    ['contains', 'tags', 'security', true],
    ['contains', 'tags', 'secure', false],
    ['notContains', 'tags', 'boring', true],
    ['notContains', 'content', 'disk', false],
    ['beginsWith', 'content', 'disk', true],
    ['beginsWith', 'content', 'full', false],
    ['in', 'group', ['Admin', 'Developer'], true],
    ['in', 'group', ['Developer'], false],
    ['notIn', 'group', ['Developer'], true],
    ['between', 'severity', [5, 7], true],
    ['between', 'severity', [8, 10], false],
    ['containsAny', 'tags', ['nope', 'urgent'], true],
    ['containsAny', 'tags', ['nope'], false],
    ['eq', 'owner.team', 'ops', true],
    ['eq', 'missing', 'x', false],
  ])('%s on %s with %j → %s', (operator, fieldName, value, expected) => {
    expect(matchesSubscriptionFilter(one(fieldName, operator, value), ticket)).toBe(expected);
  });

  it('ANDs filters in a group and ORs groups', () => {
    const both = { fieldName: 'severity', operator: 'ge', value: 5 };
    const low = { fieldName: 'priority', operator: 'eq', value: 'low' };
    const admin = { fieldName: 'group', operator: 'eq', value: 'Admin' };
    expect(matchesSubscriptionFilter({ filterGroup: [group(both, low)] }, ticket)).toBe(false);
    expect(matchesSubscriptionFilter({ filterGroup: [group(both, low), group(admin)] }, ticket)).toBe(true);
  });

  it('lets everything through without a filter', () => {
    expect(matchesSubscriptionFilter(undefined, ticket)).toBe(true);
    expect(matchesSubscriptionFilter({ filterGroup: [] }, ticket)).toBe(true);
  });

  it('accepts the filter as a JSON string', () => {
    expect(matchesSubscriptionFilter(JSON.stringify(one('id', 'eq', 't1')), ticket)).toBe(true);
  });
});
