/**
 * ConsumedCapacity taken off, or put back on, a read's JSON answer without
 * parsing the rest: the meter needs every read's units (store-transport.ts
 * asks dynalite for them), the caller gets them only when it asked, and a
 * page of items is far larger than the member cut off.
 *
 * dynalite writes ConsumedCapacity last in every read answer (GetItem,
 * BatchGetItem, Query, Scan). Its value holds numbers and table and index
 * names, never a `"`, so the last `"ConsumedCapacity":` of the text is that
 * member: inside a string a quote is escaped, and an item attribute of that
 * name comes before it.
 */
const member = '"ConsumedCapacity":';

export interface SplitAnswer {
  /** The answer without the member and without its closing brace (`{"Items":[…]` or `{`). */
  readonly rest: string;
  readonly consumedCapacity: unknown;
}

/** The answer split at its last member, ConsumedCapacity; undefined when the text is not shaped so (the caller then parses it whole). */
export function splitConsumedCapacity(text: string): SplitAnswer | undefined {
  const at = text.lastIndexOf(member);
  if (at < 1 || !text.endsWith('}')) return undefined;
  const before = text[at - 1];
  if (before !== ',' && !(before === '{' && at === 1)) return undefined;
  let consumedCapacity: unknown;
  try {
    consumedCapacity = JSON.parse(text.slice(at + member.length, -1));
  } catch {
    return undefined;
  }
  return { rest: text.slice(0, before === ',' ? at - 1 : at), consumedCapacity };
}

/** `rest` closed again, with ConsumedCapacity as its last member when `consumedCapacity` is given. */
export function withConsumedCapacity(rest: string, consumedCapacity: unknown): string {
  if (consumedCapacity === undefined) return `${rest}}`;
  return `${rest}${rest === '{' ? '' : ','}${member}${JSON.stringify(consumedCapacity)}}`;
}
