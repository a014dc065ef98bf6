/**
 * The local DynamoDB sizes wire items in place (local/dynamodb/item-size.ts)
 * by the rules of api/item-size.ts: the same size as the plain item the
 * document client would marshal, for every type, and UTF-8 counted as
 * TextEncoder writes it.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { itemBytes as plainItemBytes, utf8Bytes } from '../../api/item-size.ts';
import { itemBytes } from '../../local/dynamodb/item-size.ts';
import type { WireItem } from '../../local/dynamodb/inner-calls.ts';

const tricky = ['', 'ascii', 'é', 'ß€', '日本語', '😀', 'a😀b', '\ud800', 'x\udc00y', '\ud83d', '\u07ff\u0800', '\uffff'];

describe('Function: utf8Bytes', () => {
  it('counts what TextEncoder writes, surrogate pairs and lone surrogates included', () => {
    for (const text of tricky) expect(utf8Bytes(text), JSON.stringify(text)).toBe(new TextEncoder().encode(text).byteLength);
  });
});

describe('Function: itemBytes (wire)', () => {
  it('sizes every wire type as api/item-size.ts sizes the plain item', () => {
    // Prepare: every type, nested, with names and values outside ASCII
    const plain = {
      pk: 'IMAGE#1',
      'naïve': '😀 label',
      count: 123.45,
      zero: 0,
      small: -0.000012,
      big: 12_345_678_901_234,
      yes: true,
      none: null,
      bytes: new Uint8Array([1, 2, 3, 4, 5]),
      names: new Set(tricky.filter((text) => text !== '' && !/[\ud800-\udfff]/.test(text))),
      numbers: new Set([1, 2.5, 1000]),
      blobs: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
      list: ['a', 1, { inner: ['é', null, false] }, []],
      map: { 'clé': { deeper: { deepest: 'v' } }, empty: {} },
    };
    // As it travels: JSON, with bytes in base64.
    const wire = JSON.parse(JSON.stringify(marshall(plain), (_name, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value))) as WireItem;

    // Act / Assess
    expect(itemBytes(wire)).toBe(plainItemBytes(plain));
    expect(itemBytes(undefined)).toBe(0);
  });

  it('leaves out a value of no known type in a map or an item, and sizes it as 1 in a list', () => {
    const wire = { a: { S: 'x' }, odd: { UNKNOWN: 'y' }, l: { L: [{ UNKNOWN: 1 }] }, m: { M: { odd: { UNKNOWN: 2 } } } } as WireItem;
    expect(itemBytes(wire)).toBe(1 + 1 + (1 + 3 + 2) + (1 + 3));
  });
});
