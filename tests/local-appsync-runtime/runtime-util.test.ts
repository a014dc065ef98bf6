/** The @aws-appsync/utils implementation, against the examples in AppSync's docs. */
import { describe, expect, it } from 'vitest';
import { extensions, runtime, util } from '../../local/appsync/appsync-utils/index.ts';
import { createInvocationState, withInvocation } from '../../local/appsync/appsync-utils/invocation.ts';
import { isEarlyReturnSignal, isErrorSignal } from '../../local/appsync/appsync-utils/signals.ts';

const thrownBy = (run: () => unknown): unknown => {
  try {
    run();
  } catch (thrown) {
    return thrown;
  }
  throw new Error('expected a throw');
};

describe('ids and encodings', () => {
  it('makes UUIDs, ULIDs and KSUIDs', () => {
    expect(util.autoId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(util.autoUlid()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(util.autoKsuid()).toMatch(/^[0-9A-Za-z]{27}$/);
    expect(util.autoId()).not.toBe(util.autoId());
  });

  it('encodes base64 (UTF-8), form URLs and JavaScript strings', () => {
    expect(util.base64Encode('héllo')).toBe(Buffer.from('héllo').toString('base64'));
    expect(util.base64Decode(util.base64Encode('ünïcode ✓'))).toBe('ünïcode ✓');
    expect(util.urlEncode("a b&c=d/é!'()~*")).toBe('a+b%26c%3Dd%2F%C3%A9%21%27%28%29%7E*');
    expect(util.urlDecode('a+b%26c')).toBe('a b&c');
    expect(util.escapeJavaScript('say "hi"\n\'/é')).toBe('say \\"hi\\"\\n\\\'\\/\\u00E9');
  });

  it('matches whole strings like Java Pattern.matches', () => {
    expect(util.matches('a*b', 'aaaaab')).toBe(true);
    expect(util.matches('a*b', 'aaaaabc')).toBe(false);
  });

  it('has the VTL type helpers', () => {
    expect(util.isNull(undefined)).toBe(true);
    expect(util.isNullOrEmpty('')).toBe(true);
    expect(util.isNullOrBlank('  ')).toBe(true);
    expect(util.isNullOrBlank(' x ')).toBe(false);
    expect(util.defaultIfNull(null, 3)).toBe(3);
    expect(util.typeOf([])).toBe('List');
  });
});

describe('util.time', () => {
  it('formats and parses epoch times', () => {
    const epoch = Date.UTC(2018, 1, 6, 19, 1, 35, 749);
    expect(util.time.epochMilliSecondsToISO8601(epoch)).toBe('2018-02-06T19:01:35.749Z');
    expect(util.time.parseISO8601ToEpochMilliSeconds('2018-02-06T19:01:35.749Z')).toBe(epoch);
    expect(util.time.epochMilliSecondsToSeconds(epoch)).toBe(1517943695);
    expect(util.time.epochMilliSecondsToFormatted(epoch, 'yyyy-MM-dd HH:mm:ssZ')).toBe('2018-02-06 19:01:35+0000');
    expect(util.time.epochMilliSecondsToFormatted(epoch, "dd MMM yyyy 'at' hh:mm a", 'Australia/Perth')).toBe(
      '07 Feb 2018 at 03:01 AM',
    );
    expect(util.time.parseFormattedToEpochMilliSeconds('2018-02-01 17:21:05.000+0000', 'yyyy-MM-dd HH:mm:ss.SSSZ')).toBe(
      Date.UTC(2018, 1, 1, 17, 21, 5),
    );
    expect(util.time.parseFormattedToEpochMilliSeconds('2018-02-02 01:21:05', 'yyyy-MM-dd HH:mm:ss', 'Australia/Perth')).toBe(
      Date.UTC(2018, 1, 1, 17, 21, 5),
    );
  });

  it('reads the clock', () => {
    const before = Date.now();
    const now = util.time.nowEpochMilliSeconds();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(util.time.nowEpochSeconds()).toBe(Math.floor(Date.now() / 1000));
    expect(util.time.nowISO8601()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(util.time.nowFormatted('yyyy')).toBe(String(new Date().getUTCFullYear()));
  });
});

describe('util.dynamodb', () => {
  it('converts values to typed DynamoDB JSON, lists rather than sets', () => {
    expect(util.dynamodb.toDynamoDB({ foo: 'bar', baz: 1234, beep: ['boop'], none: null, flag: true })).toEqual({
      M: {
        foo: { S: 'bar' },
        baz: { N: '1234' },
        beep: { L: [{ S: 'boop' }] },
        none: { NULL: null },
        flag: { BOOL: true },
      },
    });
    expect(util.dynamodb.toMapValues({ foo: 'bar', skipped: undefined })).toEqual({ foo: { S: 'bar' } });
    expect(util.dynamodb.toString('foo')).toEqual({ S: 'foo' });
    expect(util.dynamodb.toString(null)).toBeNull();
    expect(util.dynamodb.toNumber(12345)).toEqual({ N: '12345' });
    expect(util.dynamodb.toStringSet(['a', 'b'])).toEqual({ SS: ['a', 'b'] });
    expect(util.dynamodb.toNumberSet([1, 23, 4.56])).toEqual({ NS: ['1', '23', '4.56'] });
    expect(util.dynamodb.toNull()).toEqual({ NULL: null });
  });

  it('round-trips S3 objects', () => {
    const s3 = util.dynamodb.toS3Object('foo', 'bar', 'baz', 'beep');
    expect(JSON.parse((s3 as { S: string }).S)).toEqual({ s3: { key: 'foo', bucket: 'bar', region: 'baz', version: 'beep' } });
    expect(util.dynamodb.fromS3ObjectJson((s3 as { S: string }).S)).toEqual({ key: 'foo', bucket: 'bar', region: 'baz', version: 'beep' });
  });
});

describe('util.transform', () => {
  it('builds the documented filter expression', () => {
    expect(JSON.parse(util.transform.toDynamoDBFilterExpression({ title: { contains: 'Hello World' } }))).toEqual({
      expression: '(contains(#title,:title_contains))',
      expressionNames: { '#title': 'title' },
      expressionValues: { ':title_contains': { S: 'Hello World' } },
    });
  });

  it('combines operators, and/or/not, and keeps placeholders unique', () => {
    const built = JSON.parse(
      util.transform.toDynamoDBConditionExpression({
        version: { eq: 2, attributeExists: true },
        or: [{ status: { eq: 'A' } }, { status: { eq: 'B' } }],
        not: { size: { between: [1, 5] } },
      } as never),
    );
    expect(built.expression).toBe(
      '((#version = :version_eq) AND (attribute_exists(#version)) AND ((#status = :status_eq) OR (#status = :status_eq_1)) AND (NOT (#size BETWEEN :size_between_0 AND :size_between_1)))',
    );
    expect(built.expressionValues).toEqual({
      ':version_eq': { N: '2' },
      ':status_eq': { S: 'A' },
      ':status_eq_1': { S: 'B' },
      ':size_between_0': { N: '1' },
      ':size_between_1': { N: '5' },
    });
  });

  it('turns filter objects into subscription filter groups', () => {
    expect(
      util.transform.toSubscriptionFilter(
        { severity: { ge: 7 }, or: [{ priority: { eq: 'high' } }, { category: { in: ['security', 'ops'] } }], secret: { eq: 'x' } },
        ['secret'],
      ),
    ).toEqual({
      filterGroup: [
        { filters: [{ fieldName: 'severity', operator: 'ge', value: 7 }, { fieldName: 'priority', operator: 'eq', value: 'high' }] },
        { filters: [{ fieldName: 'severity', operator: 'ge', value: 7 }, { fieldName: 'category', operator: 'in', value: ['security', 'ops'] }] },
      ],
    });
    expect(util.transform.toSubscriptionFilter({ a: { eq: 1 } }, [], { b: { eq: 2 }, c: { eq: 3 } })).toEqual({
      filterGroup: [
        { filters: [{ fieldName: 'a', operator: 'eq', value: 1 }, { fieldName: 'b', operator: 'eq', value: 2 }] },
        { filters: [{ fieldName: 'a', operator: 'eq', value: 1 }, { fieldName: 'c', operator: 'eq', value: 3 }] },
      ],
    });
  });
});

describe('control flow and per-invocation state', () => {
  it('throws signals for util.error and runtime.earlyReturn', () => {
    const error = thrownBy(() => util.error('bad', 'MyType', { a: 1 }, { b: 2 }));
    expect(isErrorSignal(error)).toBe(true);
    expect(error).toMatchObject({ message: 'bad', errorType: 'MyType', data: { a: 1 }, errorInfo: { b: 2 } });
    const early = thrownBy(() => runtime.earlyReturn({ x: 1 }, { skipTo: 'END' }));
    expect(isEarlyReturnSignal(early) && early.value).toEqual({ x: 1 });
  });

  it('records appended errors, filters and invalidations in the current invocation only', () => {
    const state = createInvocationState('API Key Authorization');
    withInvocation(state, () => {
      util.appendError('kept');
      extensions.setSubscriptionFilter({ filterGroup: [] } as never);
      extensions.invalidateSubscriptions({ subscriptionField: 'onX', payload: { id: 1 } });
      util.http.addResponseHeader('itemsCount', 7);
      expect(util.authType()).toBe('API Key Authorization');
    });
    expect(state.appendedErrors).toEqual([{ message: 'kept' }]);
    expect(state.subscriptionFilter).toEqual({ filterGroup: [] });
    expect(state.invalidations).toEqual([{ subscriptionField: 'onX', payload: { id: 1 } }]);
    expect(state.responseHeaders).toEqual({ itemsCount: 7 });
    expect(() => util.appendError('outside')).toThrow(/only be used while a resolver handler runs/);
  });
});

describe('util.math, util.str, util.xml', () => {
  it('works as documented', () => {
    expect(util.math.roundNum(2.5)).toBe(3);
    expect(util.math.minVal(1, 2)).toBe(1);
    const random = util.math.randomWithinRange(3, 5);
    expect(random >= 3 && random <= 5 && Number.isInteger(random)).toBe(true);
    expect(util.str.normalize('e\u0301', 'nfc')).toBe('é');
    expect(
      util.xml.toMap('<?xml version="1.0"?><posts><post><id>1</id><title>Getting started</title></post><post><id>2</id></post></posts>'),
    ).toEqual({ posts: { post: [{ id: 1, title: 'Getting started' }, { id: 2 }] } });
  });
});
