/**
 * What a write did to one item, as the store layer (store-transport.ts)
 * saw it holding the item's lock (or the store's, exclusively): the item
 * before and after. The meter turns these into write units and bytes stored
 * as DynamoDB counts them.
 */
import type { WireItem } from './inner-calls.ts';

export interface WriteEffect {
  readonly tableName: string;
  /** The item before the write; undefined when there was none. */
  readonly before?: WireItem;
  /** The item after the write; undefined when there is none (deleted, or never there). */
  readonly after?: WireItem;
  /** Part of TransactWriteItems: DynamoDB bills each such write twice. */
  readonly transactional: boolean;
  /** A condition failed: the item is unchanged, the write is still billed (ConditionCheck included). */
  readonly conditionFailed: boolean;
}

/** What a read consumed, in DynamoDB's read units, on a table or one of its indexes. */
export interface ReadEffect {
  readonly tableName: string;
  readonly indexName?: string;
  readonly readUnits: number;
}

export interface EffectObserver {
  wrote(effect: WriteEffect): void;
  read(effect: ReadEffect): void;
}
