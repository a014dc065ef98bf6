/**
 * TransactWriteItems and TransactGetItems, which dynalite lacks, built on
 * its single-item operations. The store layer (store-transport.ts) runs each
 * transaction holding its lock exclusively, so no other request sees or
 * touches the items between the steps:
 *
 *   validate → read every item → apply each, under its condition
 *                                  │ all applied: committed
 *                                  │ any refused: put every item back as it was read, then
 *                                  ▼
 *                                check every condition → apply in order
 *                                  │ any fails: cancel     │ a step fails: put every
 *                                  ▼ (nothing written)     ▼ item back as it was read
 *
 * The first pass is what almost every transaction takes: one call per item
 * to apply it (an Update answers with its new item, so nothing is read
 * after), the items read and then written side by side. Each action names
 * its own item, so applying one changes nothing another's condition reads:
 * every condition is still checked on the items as read. Anything refused
 * there (a condition, a write dynalite refuses) puts back what was applied
 * and runs the second pass from the same state, which decides the answer
 * (the cancellation reasons of every item, or a ValidationError). There a
 * condition is checked without changing anything: an existing item is
 * written back unchanged under the condition, a missing one is "deleted"
 * under it. Answers are DynamoDB's: ValidationException for a malformed
 * request (more than 100 items, two actions on one item, items of more
 * than 4 MB together, written or read, an expression over DynamoDB's 4 KB), and
 * TransactionCanceledException with one CancellationReason per item, in
 * order, for failed conditions, a key of the wrong types, or a write
 * DynamoDB would refuse.
 * A ClientRequestToken makes a repeated successful request (same token, same
 * items, within 10 minutes) succeed again without writing. At most
 * `maxRememberedTokens` are kept (the oldest forgotten first), so a caller
 * sending a new token with every transaction cannot grow the process's memory.
 */
import { createHash } from 'node:crypto';
import {
  conditionFailedMessage,
  exceptionOf,
  jsonResponse,
  messageOf,
  serviceError,
  transactionCanceled,
  validationError,
  type CancellationReason,
} from './errors.ts';
import type { DynamoDbHttpResponse } from './in-process.ts';
import { isObject, type InnerCall, type WireItem } from './inner-calls.ts';
import { itemBytes } from './item-size.ts';
import { itemIdentity, keyOf, type TableSchemas } from './table-schemas.ts';
import type { WriteEffect } from './write-effects.ts';

/** DynamoDB's limit of actions per transaction. */
export const maxTransactItems = 100;
/** How long DynamoDB remembers a ClientRequestToken. */
const tokenLifetimeMs = 10 * 60 * 1000;
/** Tokens remembered at most (about 200 bytes each): far more than the local stack's transactions in 10 minutes. */
export const maxRememberedTokens = 50_000;
/**
 * "The aggregate size of the items in the transaction cannot exceed 4 MB"
 * (TransactWriteItems and TransactGetItems, DynamoDB API Reference).
 */
export const maxTransactionBytes = 4 * 1024 * 1024;
/**
 * The answers over 4 MB. DynamoDB documents the limit ("DynamoDB rejects the
 * entire request if … the aggregate size of the items in the transaction
 * exceeds 4 MB", TransactWriteItems; "… exceeded 4 MB", TransactGetItems) but
 * no message for it, so the message is the documented sentence and the
 * exception the one a malformed request gets (not TransactionCanceledException,
 * whose documented causes do not include it).
 */
const writeTooLarge = () => validationError('The aggregate size of the items in the transaction exceeds 4 MB');
const readTooLarge = () => validationError('The aggregate size of the items in the transaction exceeded 4 MB');
/** DynamoDB's limit on an expression string ("Expression parameters", DynamoDB Developer Guide). */
export const maxExpressionBytes = 4096;
const expressionFields = ['ConditionExpression', 'UpdateExpression', 'ProjectionExpression'] as const;

type WriteKind = 'ConditionCheck' | 'Put' | 'Update' | 'Delete';
const writeKinds: readonly WriteKind[] = ['ConditionCheck', 'Put', 'Update', 'Delete'];
/** How DynamoDB's validation messages name an action's member: `conditionCheck`, `put`, … */
const memberName = (kind: WriteKind): string => `${kind[0].toLowerCase()}${kind.slice(1)}`;

interface WriteAction {
  readonly kind: WriteKind;
  readonly tableName: string;
  readonly key: WireItem;
  readonly input: Record<string, unknown>;
}

export interface TransactionOutcome {
  readonly response: DynamoDbHttpResponse;
  /** What the transaction wrote, one entry per action, when it committed or was cancelled by a condition. */
  readonly effects: readonly WriteEffect[];
}

const notNull = (path: string) => validationError(`1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`);

/**
 * DynamoDB's answer to an empty or over-long TransactItems, worded as its
 * current validation framework words it (the older one echoes the whole list
 * back instead of naming the member).
 */
function lengthError(count: number): DynamoDbHttpResponse | undefined {
  if (count >= 1 && count <= maxTransactItems) return undefined;
  const bound = count < 1 ? 'greater than or equal to 1' : `less than or equal to ${maxTransactItems}`;
  return validationError(`1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length ${bound}`);
}

/**
 * A key of the wrong types or shape: dynalite refuses the read with this
 * ValidationException, where DynamoDB cancels the transaction with it as the
 * item's ValidationError reason (a TransactGetItems with `Key: {}`, an
 * Update, Delete or ConditionCheck with a wrong-typed key; captured from
 * DynamoDB by the dynamodb-conformance suite). An empty key value stays a
 * ValidationException of the whole request, as on DynamoDB.
 */
const keySchemaMismatch = 'The provided key element does not match the schema';

/** The cancellation for item `index` of `count` when `refusal` is the key mismatch above, else undefined. */
function keyMismatchCancellation(count: number, index: number, refusal: DynamoDbHttpResponse): DynamoDbHttpResponse | undefined {
  if (exceptionOf(refusal) !== 'ValidationException' || messageOf(refusal) !== keySchemaMismatch) return undefined;
  return transactionCanceled(Array.from({ length: count }, (_, at) => (at === index ? { Code: 'ValidationError', Message: keySchemaMismatch } : { Code: 'None' })));
}

/** The enum-valued members of the two transaction requests, with the values DynamoDB accepts. */
const returnConsumedCapacity = ['INDEXES', 'TOTAL', 'NONE'] as const;
const returnItemCollectionMetrics = ['SIZE', 'NONE'] as const;
const returnValuesOnConditionCheckFailure = ['ALL_OLD', 'NONE'] as const;

/** One member of a request checked against its enum: where it is, what it holds, what it may hold. */
interface EnumMember {
  readonly path: string;
  readonly value: unknown;
  readonly allowed: readonly string[];
}

/**
 * DynamoDB's ValidationException for members outside their enums, all of them
 * in one message as its validation framework lists them (and dynalite's
 * validations word them: `Value 'x' at 'path' failed to satisfy constraint:
 * Member must satisfy enum value set: [...]`); undefined when every member is
 * absent or allowed. dynalite knows neither transaction, so nothing else checks them.
 */
function enumError(members: readonly EnumMember[]): DynamoDbHttpResponse | undefined {
  const violations = members
    .filter(({ value, allowed }) => value !== undefined && value !== null && !allowed.includes(String(value)))
    .map(({ path, value, allowed }) => `Value '${String(value)}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  if (violations.length === 0) return undefined;
  return validationError(`${violations.length} validation error${violations.length > 1 ? 's' : ''} detected: ${violations.join('; ')}`);
}

/** Keeps the ExpressionAttributeNames/Values a condition uses: dynalite refuses unused ones. */
function conditionOnly(input: Record<string, unknown>): Record<string, unknown> {
  const condition = String(input.ConditionExpression);
  const placeholders = placeholdersIn(condition);
  const used = (map: unknown) => {
    if (!isObject(map)) return undefined;
    const kept = Object.fromEntries(Object.entries(map).filter(([name]) => placeholders.has(name)));
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  return {
    ConditionExpression: condition,
    ExpressionAttributeNames: used(input.ExpressionAttributeNames),
    ExpressionAttributeValues: used(input.ExpressionAttributeValues),
  };
}

/**
 * What DynamoDB refuses of an action's expression maps before running
 * anything: empty maps, and names or values no expression of the action uses.
 */
function expressionError(input: Record<string, unknown>): DynamoDbHttpResponse | undefined {
  for (const field of expressionFields) {
    const expression = input[field];
    const bytes = typeof expression === 'string' ? Buffer.byteLength(expression) : 0;
    if (bytes > maxExpressionBytes) return validationError(`Invalid ${field}: Expression size has exceeded the maximum allowed size; expression size: ${bytes}`);
  }
  const placeholders = placeholdersIn(expressionFields.map((field) => (typeof input[field] === 'string' ? input[field] : '')).join(' '));
  for (const [field, prefix] of [
    ['ExpressionAttributeNames', '#'],
    ['ExpressionAttributeValues', ':'],
  ] as const) {
    const map = input[field];
    if (map === undefined) continue;
    if (!isObject(map) || Object.keys(map).length === 0) return validationError(`${field} must not be empty`);
    const unused = Object.keys(map).filter((name) => !name.startsWith(prefix) || !placeholders.has(name));
    if (unused.length > 0) return validationError(`Value provided in ${field} unused in expressions: keys: {${unused.join(', ')}}`);
  }
  return undefined;
}

/**
 * Every `#name` and `:value` placeholder in `text`, in one pass: checking a
 * map against it costs one look-up a name, not a scan of the text a name.
 */
const placeholdersIn = (text: string): ReadonlySet<string> => new Set(text.match(/[#:][A-Za-z0-9_]+/g) ?? []);

/** The bytes of the items a write transaction carries: Put items, and the keys of the other actions. */
const transactionBytes = (actions: readonly WriteAction[]): number =>
  actions.reduce((total, action) => total + itemBytes(action.kind === 'Put' ? (action.input.Item as WireItem) : action.key), 0);

/** The action's input as its single-item operation takes it (no transaction-only fields). */
function operationInput(action: WriteAction): Record<string, unknown> {
  const { ReturnValuesOnConditionCheckFailure: _returnValues, ...input } = action.input;
  return input;
}

async function readItem(call: InnerCall, tableName: string, key: WireItem): Promise<{ item?: WireItem; error?: DynamoDbHttpResponse }> {
  const read = await call('GetItem', { TableName: tableName, Key: key, ConsistentRead: true });
  if (!read.ok) return { error: read.response };
  return { item: isObject(read.output.Item) ? (read.output.Item as WireItem) : undefined };
}

/** Puts the item back as it was read: rewritten, or deleted when there was none. */
async function restore(call: InnerCall, action: WriteAction, before: WireItem | undefined): Promise<void> {
  if (before) await call('PutItem', { TableName: action.tableName, Item: before });
  else await call('DeleteItem', { TableName: action.tableName, Key: action.key });
}

/** Whether the action's condition holds now, checked without changing the item; a ValidationException for a malformed condition. */
async function conditionHolds(call: InnerCall, action: WriteAction, before: WireItem | undefined): Promise<boolean | DynamoDbHttpResponse> {
  if (typeof action.input.ConditionExpression !== 'string') return true;
  const condition = conditionOnly(action.input);
  const probe = before
    ? await call('PutItem', { TableName: action.tableName, Item: before, ...condition })
    : await call('DeleteItem', { TableName: action.tableName, Key: action.key, ...condition });
  if (probe.ok) return true;
  if (exceptionOf(probe.response) === 'ConditionalCheckFailedException') return false;
  return probe.response;
}

export class Transactions {
  private readonly tokens = new Map<string, { fingerprint: string; at: number }>();

  public constructor(
    private readonly schemas: TableSchemas,
    private readonly now: () => number = Date.now,
    private readonly tokenCapacity: number = maxRememberedTokens,
  ) {}

  /** Parses TransactItems into actions with their keys; an answer when the request is malformed. */
  private async parseWrite(call: InnerCall, body: Record<string, unknown>): Promise<WriteAction[] | DynamoDbHttpResponse> {
    const items = body.TransactItems;
    if (!Array.isArray(items)) return notNull('transactItems');
    const length = lengthError(items.length);
    if (length) return length;
    const enums = enumError([
      ...items.flatMap((element, index) =>
        writeKinds
          .filter((kind) => isObject(element) && isObject(element[kind]))
          .map((kind) => ({
            path: `transactItems.${index + 1}.member.${memberName(kind)}.returnValuesOnConditionCheckFailure`,
            value: ((element as Record<string, unknown>)[kind] as Record<string, unknown>).ReturnValuesOnConditionCheckFailure,
            allowed: returnValuesOnConditionCheckFailure,
          })),
      ),
      { path: 'returnConsumedCapacity', value: body.ReturnConsumedCapacity, allowed: returnConsumedCapacity },
      { path: 'returnItemCollectionMetrics', value: body.ReturnItemCollectionMetrics, allowed: returnItemCollectionMetrics },
    ]);
    if (enums) return enums;
    const actions: WriteAction[] = [];
    const seen = new Set<string>();
    for (const [index, element] of items.entries()) {
      const kinds = isObject(element) ? writeKinds.filter((kind) => element[kind] !== undefined) : [];
      if (kinds.length !== 1 || !isObject(element) || !isObject(element[kinds[0]])) {
        return validationError('TransactItems can only contain one of Check, Put, Update or Delete');
      }
      const kind = kinds[0];
      const input = element[kind] as Record<string, unknown>;
      const path = `transactItems.${index + 1}.member.${memberName(kind)}`;
      if (typeof input.TableName !== 'string') return notNull(`${path}.tableName`);
      if (kind === 'ConditionCheck' && typeof input.ConditionExpression !== 'string') return notNull(`${path}.conditionExpression`);
      if (kind === 'Update' && typeof input.UpdateExpression !== 'string') return notNull(`${path}.updateExpression`);
      const expressions = expressionError(input);
      if (expressions) return expressions;
      const schema = await this.schemas.get(call, input.TableName);
      if (!schema) return serviceError('ResourceNotFoundException', 'Requested resource not found');
      const source = kind === 'Put' ? input.Item : input.Key;
      if (!isObject(source)) return notNull(`${path}.${kind === 'Put' ? 'item' : 'key'}`);
      const key = keyOf(source as WireItem, schema.keyNames);
      if (!key) return validationError('The provided key element does not match the schema');
      const identity = itemIdentity(input.TableName, key);
      if (seen.has(identity)) return validationError('Transaction request cannot include multiple operations on one item');
      seen.add(identity);
      actions.push({ kind, tableName: input.TableName, key, input });
    }
    if (transactionBytes(actions) > maxTransactionBytes) return writeTooLarge();
    return actions;
  }

  /** Checks the ClientRequestToken; an answer when the request must not run (already done, or a mismatch). */
  private replayed(body: Record<string, unknown>): DynamoDbHttpResponse | undefined {
    const token = body.ClientRequestToken;
    if (token === undefined) return undefined;
    if (typeof token !== 'string' || token.length < 1 || token.length > 36) {
      return validationError("1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 1 and 36");
    }
    this.forgetExpiredTokens();
    const earlier = this.tokens.get(token);
    if (!earlier) return undefined;
    if (earlier.fingerprint !== fingerprintOf(body)) {
      return serviceError('IdempotentParameterMismatchException', 'DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.');
    }
    return jsonResponse(200, {});
  }

  /** TransactWriteItems. The caller holds the store's lock exclusively. */
  public async write(call: InnerCall, body: Record<string, unknown>): Promise<TransactionOutcome> {
    const replay = this.replayed(body);
    if (replay) return { response: replay, effects: [] };
    const actions = await this.parseWrite(call, body);
    if (!Array.isArray(actions)) return { response: actions, effects: [] };

    // Reads change nothing, and nothing else runs while the lock is held: side by side, the first failure in order answers.
    const reads = await Promise.all(actions.map((action) => readItem(call, action.tableName, action.key)));
    const failedIndex = reads.findIndex((read) => read.error);
    const failedRead = reads[failedIndex];
    if (failedRead?.error) return { response: keyMismatchCancellation(actions.length, failedIndex, failedRead.error) ?? failedRead.error, effects: [] };
    const before = reads.map((read) => read.item);

    const applied = await this.applyAll(call, actions, before);
    if (applied) return this.committed(body, actions.map((action, index) => ({ tableName: action.tableName, before: before[index], after: applied[index], transactional: true, conditionFailed: false })));

    const reasons: CancellationReason[] = [];
    for (const [index, action] of actions.entries()) {
      const holds = await conditionHolds(call, action, before[index]);
      if (typeof holds !== 'boolean') return { response: holds, effects: [] };
      const item = before[index];
      reasons.push(
        holds
          ? { Code: 'None' }
          : { Code: 'ConditionalCheckFailed', Message: conditionFailedMessage, ...(action.input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && item ? { Item: item } : {}) },
      );
    }
    const unchanged = (conditionFailed: (index: number) => boolean) =>
      actions.map((action, index) => ({ tableName: action.tableName, before: before[index], after: before[index], transactional: true, conditionFailed: conditionFailed(index) }));
    if (reasons.some((reason) => reason.Code !== 'None')) {
      return { response: transactionCanceled(reasons), effects: unchanged((index) => reasons[index].Code !== 'None') };
    }

    for (const [index, action] of actions.entries()) {
      const applied = await this.apply(call, action);
      if (applied.ok) continue;
      for (let undo = index - 1; undo >= 0; undo -= 1) await restore(call, actions[undo], before[undo]);
      const exception = exceptionOf(applied.response);
      if (exception === 'ValidationException') {
        return {
          response: transactionCanceled(actions.map((_, at) => (at === index ? { Code: 'ValidationError', Message: messageOf(applied.response) } : { Code: 'None' }))),
          effects: [],
        };
      }
      return { response: applied.response, effects: [] };
    }

    const effects: WriteEffect[] = [];
    for (const [index, action] of actions.entries()) {
      const after = action.kind === 'ConditionCheck' ? before[index] : (await readItem(call, action.tableName, action.key)).item;
      effects.push({ tableName: action.tableName, before: before[index], after, transactional: true, conditionFailed: false });
    }
    return this.committed(body, effects);
  }

  private committed(body: Record<string, unknown>, effects: WriteEffect[]): TransactionOutcome {
    if (typeof body.ClientRequestToken === 'string') this.rememberToken(body.ClientRequestToken, fingerprintOf(body));
    return { response: jsonResponse(200, {}), effects };
  }

  /**
   * The first pass: applies every action, each under its own condition, and
   * answers each item after; undefined when one was refused, once every item
   * applied is put back as it was read.
   */
  private async applyAll(call: InnerCall, actions: readonly WriteAction[], before: readonly (WireItem | undefined)[]): Promise<(WireItem | undefined)[] | undefined> {
    // Side by side: each action writes its own item, and the lock keeps every other request out until the end.
    const applied = await Promise.all(actions.map((action, index) => this.applyAnsweringAfter(call, action, before[index])));
    if (applied.every((outcome) => outcome.ok)) return applied.map((outcome) => (outcome.ok ? outcome.after : undefined));
    await Promise.all(actions.map((action, index) => (applied[index].ok ? restore(call, action, before[index]) : undefined)));
    return undefined;
  }

  /** One action of the first pass, and its item after it. */
  private async applyAnsweringAfter(call: InnerCall, action: WriteAction, before: WireItem | undefined): Promise<{ ok: true; after: WireItem | undefined } | { ok: false }> {
    if (action.kind === 'ConditionCheck') return (await conditionHolds(call, action, before)) === true ? { ok: true, after: before } : { ok: false };
    // An Update answers with its new item (ALL_NEW; DynamoDB takes no ReturnValues in a transaction, so one sent goes to dynalite as sent, and the item is read).
    const answersNew = action.kind === 'Update' && action.input.ReturnValues === undefined;
    const input = operationInput(action);
    const applied = await this.apply(call, answersNew ? { ...action, input: { ...input, ReturnValues: 'ALL_NEW' } } : action);
    if (!applied.ok) return { ok: false };
    if (action.kind === 'Delete') return { ok: true, after: undefined };
    if (answersNew && isObject(applied.output.Attributes)) return { ok: true, after: applied.output.Attributes as WireItem };
    // A Put is read back rather than taken from the request: the meter compares the item as stored, as before.
    return { ok: true, after: (await readItem(call, action.tableName, action.key)).item };
  }

  /**
   * Drops expired tokens. A token is only ever added new (a known one answers
   * before the transaction runs), so the map is in order of time: the sweep
   * stops at the first token still alive instead of visiting them all.
   */
  private forgetExpiredTokens(): void {
    const now = this.now();
    for (const [known, entry] of this.tokens) {
      if (now - entry.at <= tokenLifetimeMs) break;
      this.tokens.delete(known);
    }
  }

  private rememberToken(token: string, fingerprint: string): void {
    this.tokens.set(token, { fingerprint, at: this.now() });
    // The oldest first: the first key of a Map is the one added first.
    while (this.tokens.size > this.tokenCapacity) this.tokens.delete(this.tokens.keys().next().value as string);
  }

  /** Tokens remembered now (for tests). */
  public get rememberedTokens(): number {
    return this.tokens.size;
  }

  private async apply(call: InnerCall, action: WriteAction) {
    const input = operationInput(action);
    if (action.kind === 'Put') return call('PutItem', input);
    if (action.kind === 'Update') return call('UpdateItem', input);
    if (action.kind === 'Delete') return call('DeleteItem', input);
    return { ok: true as const, response: jsonResponse(200, {}), output: {} };
  }

  /** TransactGetItems: every item read at one point in time (the caller holds the lock exclusively). */
  public async get(call: InnerCall, body: Record<string, unknown>): Promise<{ response: DynamoDbHttpResponse; readUnits: { tableName: string; item?: WireItem }[] }> {
    const items = body.TransactItems;
    if (!Array.isArray(items)) return { response: notNull('transactItems'), readUnits: [] };
    const length = lengthError(items.length);
    if (length) return { response: length, readUnits: [] };
    const enums = enumError([{ path: 'returnConsumedCapacity', value: body.ReturnConsumedCapacity, allowed: returnConsumedCapacity }]);
    if (enums) return { response: enums, readUnits: [] };
    const seen = new Set<string>();
    const gets: Record<string, unknown>[] = [];
    for (const [index, element] of items.entries()) {
      const get = isObject(element) && isObject(element.Get) ? element.Get : undefined;
      if (!get) return { response: notNull(`transactItems.${index + 1}.member.get`), readUnits: [] };
      if (typeof get.TableName !== 'string' || !isObject(get.Key)) return { response: notNull(`transactItems.${index + 1}.member.get.key`), readUnits: [] };
      const identity = itemIdentity(get.TableName, get.Key as WireItem);
      if (seen.has(identity)) return { response: validationError('Transaction request cannot include multiple operations on one item'), readUnits: [] };
      seen.add(identity);
      gets.push(get);
    }
    const responses: Record<string, unknown>[] = [];
    const reads: { tableName: string; item?: WireItem }[] = [];
    let totalBytes = 0;
    for (const [index, get] of gets.entries()) {
      const read = await call('GetItem', { ...get, ConsistentRead: true });
      if (!read.ok) return { response: keyMismatchCancellation(gets.length, index, read.response) ?? read.response, readUnits: [] };
      // The 4 MB and the read units count whole items, whatever a projection leaves of them.
      const whole = get.ProjectionExpression === undefined ? read : await call('GetItem', { TableName: get.TableName, Key: get.Key, ConsistentRead: true });
      if (!whole.ok) return { response: whole.response, readUnits: [] };
      const item = isObject(whole.output.Item) ? (whole.output.Item as WireItem) : undefined;
      totalBytes += itemBytes(item);
      if (totalBytes > maxTransactionBytes) return { response: readTooLarge(), readUnits: [] };
      responses.push(isObject(read.output.Item) ? { Item: read.output.Item } : {});
      reads.push({ tableName: String(get.TableName), item });
    }
    return { response: jsonResponse(200, { Responses: responses }), readUnits: reads };
  }
}

const fingerprintOf = (body: Record<string, unknown>): string => createHash('sha256').update(JSON.stringify(body.TransactItems)).digest('hex');
