/**
 * Starts a subscription as AppSync does, the sibling of execute.ts over the
 * same execution context (execution-context.ts): the root field is
 * authorised, its arguments coerced and its resolver run exactly as a query
 * field's, and its errors shaped the same way. As in graphql-js's
 * subscribe(), the result is a source event stream mapped through execute:
 * each published payload (a mutation's result as the mutation selected it)
 * is run through the subscriber's own selection set with its own auth, so a
 * field the mutation did not select comes back null, as on AppSync. AppSync
 * does not run the subscription's resolver again per event, so the root
 * field resolves to the payload itself.
 */
import { subscribe, type DocumentNode, type ExecutionResult, type GraphQLFieldResolver } from 'graphql';
import { fieldError, variableError, type GraphQLResponseError } from './errors.ts';
import { eventChannel } from './event-channel.ts';
import { buildExecutionContext, type OperationArgs } from './execution-context.ts';
import { hidesSuggestions } from './limits.ts';
import { wiringOf } from './wiring.ts';

/** One message payload for the subscriber: its selection set run over one published payload. */
export interface SubscriptionEvent {
  readonly data: unknown;
  readonly errors?: readonly GraphQLResponseError[];
}

/** A started subscription: what to match published payloads against, and its event stream. */
export interface SourceSubscription {
  readonly fieldName: string;
  /** Argument values after coercion, only those the client gave (AppSync's basic filter). */
  readonly arguments: Record<string, unknown>;
  /** The resolver's enhanced filter (extensions.setSubscriptionFilter), if it set one. */
  readonly filter: unknown;
  /** The resolver's invalidation filter (extensions.setSubscriptionInvalidationFilter), if it set one. */
  readonly invalidationFilter: unknown;
  /** Queues a published payload; resolves once the subscriber's message for it was handled (or the stream ended). */
  publish(payload: unknown): Promise<void>;
  /** The subscriber's messages, one per published payload, in order. */
  readonly events: AsyncIterator<SubscriptionEvent>;
  /** Ends the stream. */
  close(): void;
}

export type SubscribeOutcome =
  | { readonly ok: true; readonly subscription: SourceSubscription }
  | { readonly ok: false; readonly reason: 'refused'; readonly errors: readonly GraphQLResponseError[] }
  /** The document's operation is a query or mutation. */
  | { readonly ok: false; readonly reason: 'not-a-subscription' }
  /** `keepDocument` refused the document: its error, as the caller worded it. */
  | { readonly ok: false; readonly reason: 'document-not-kept'; readonly error: { readonly errorType: string; readonly message: string } };

/** Whether a subscription may keep its parsed document for as long as it lives; `release` when it ends. */
export type KeepDocument = (
  document: DocumentNode,
  text: string,
) => { readonly ok: true; readonly release: () => void } | { readonly ok: false; readonly error: { readonly errorType: string; readonly message: string } };

export interface SubscribeArgs extends OperationArgs {
  /**
   * Asked once the document is parsed and valid, before the subscription's
   * resolver runs (realtime/document-budget.ts); a refusal ends the start with
   * its error. @default every document is kept
   */
  readonly keepDocument?: KeepDocument;
}

const refused = (errors: readonly GraphQLResponseError[]): SubscribeOutcome => ({ ok: false, reason: 'refused', errors });

/** Errors raised before any field ran (variables) have no path; the rest are field errors. */
const responseError = (error: Parameters<typeof fieldError>[0]) => (error.path ? fieldError(error) : variableError(error));

export async function subscribeOperation(args: SubscribeArgs): Promise<SubscribeOutcome> {
  const context = buildExecutionContext(args);
  if ('errors' in context) return refused(context.errors);
  if (context.operation.operation !== 'subscription') return { ok: false, reason: 'not-a-subscription' };
  const { served, body } = args;
  const { rootType } = context;
  const kept = args.keepDocument?.(context.document, body.query) ?? { ok: true, release: () => undefined };
  if (!kept.ok) return { ok: false, reason: 'document-not-kept', error: kept.error };

  const channel = eventChannel<unknown>();
  let started: Pick<SourceSubscription, 'fieldName' | 'arguments' | 'filter' | 'invalidationFilter'> | undefined;

  // Runs once, at start: the same resolution a query field gets.
  const subscribeFieldResolver: GraphQLFieldResolver<unknown, unknown> = async (_root, fieldArgs, _context, info) => {
    const result = await context.resolveWired(wiringOf(info.parentType.name, info.fieldName), null, fieldArgs, info);
    started = {
      fieldName: info.fieldName,
      arguments: fieldArgs,
      filter: result?.subscriptionFilter,
      invalidationFilter: result?.subscriptionInvalidationFilter,
    };
    return channel;
  };
  // Runs per event: the root field is the payload, nested fields resolve by default with field auth.
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, fieldArgs, graphqlContext, info) =>
    info.parentType === rootType ? source : context.resolveDefault(source, fieldArgs, graphqlContext, info);

  let result: Awaited<ReturnType<typeof subscribe>>;
  try {
    result = await subscribe({
      schema: served.schema,
      document: context.document,
      operationName: body.operationName,
      variableValues: body.variables,
      rootValue: {},
      fieldResolver,
      subscribeFieldResolver,
      hideSuggestions: hidesSuggestions(served.limits),
    });
  } catch (error) {
    kept.release();
    throw error;
  }

  const errors = [...('errors' in result && result.errors ? result.errors : []), ...context.appendedErrors];
  if (errors.length > 0 || !started || !(Symbol.asyncIterator in result)) {
    channel.close();
    kept.release();
    if ('return' in result && typeof result.return === 'function') await result.return();
    return refused(errors.map(responseError));
  }

  const stream = result as AsyncGenerator<ExecutionResult>;
  const events: AsyncIterator<SubscriptionEvent> = {
    async next() {
      const next = await stream.next();
      if (next.done) return { value: undefined, done: true };
      const { data, errors: eventErrors } = next.value;
      return { value: eventErrors?.length ? { data: data ?? null, errors: eventErrors.map(fieldError) } : { data: data ?? null }, done: false };
    },
    async return() {
      channel.close();
      await stream.return(undefined);
      return { value: undefined, done: true };
    },
  };
  return {
    ok: true,
    subscription: {
      ...started,
      publish: (payload) => channel.push(payload),
      events,
      close: () => {
        channel.close();
        kept.release();
      },
    },
  };
}
