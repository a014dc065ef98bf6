/**
 * The runtime's side of the resolver sandbox: this file is bundled into a
 * script and run inside each bare vm context (local/appsync/resolvers/
 * sandbox.ts), so `util`, `extensions`, `runtime` and the dynamodb module are
 * objects of the sandbox's own realm, as resolver code expects on AppSync.
 *
 * The host and the sandbox exchange JSON strings only (see `dispatch`): no
 * host object, prototype or function ever reaches resolver code, and every
 * value crosses the boundary the way AppSync passes values between steps.
 *
 * Resolver code may call only the built-in methods the APPSYNC_JS runtime
 * offers (lockdown.ts, supported-builtins.ts); the runtime's own functions
 * are not held to that list.
 */
import * as dynamodbModule from './dynamodb-module.ts';
import { installEntropySource } from './entropy.ts';
import { extensions, runtime, util } from './index.ts';
import { createInvocationState, withInvocation, type InvocationState } from './invocation.ts';
import { markRuntimeApi, restrictBuiltIns, runResolverCode } from './lockdown.ts';
import { isEarlyReturnSignal, isErrorSignal } from './signals.ts';

/** What the host installs before this script runs; removed from the global at once. */
export interface SandboxHost {
  /** `byteCount` random bytes from the host's CSPRNG, as hex. */
  readonly randomHex: (byteCount: number) => string;
  /** Where console.log/error in resolver code goes (CloudWatch Logs on AppSync). */
  readonly log: (level: string, text: string) => void;
}

export const hostSlot = Symbol.for('labelcast.appsync.sandbox.host');
export const controlSlot = Symbol.for('labelcast.appsync.sandbox.control');

/** One handler call, as the host sends it (JSON). */
export interface DispatchInput {
  readonly handler: 'request' | 'response';
  readonly context: Record<string, unknown>;
  readonly state: InvocationState;
}

export type DispatchOutcome =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'earlyReturn'; readonly value: unknown; readonly skipTo?: 'END' | 'NEXT' }
  | {
      readonly kind: 'error';
      readonly message: string;
      readonly errorType?: string;
      readonly data?: unknown;
      readonly errorInfo?: unknown;
      readonly unauthorized?: boolean;
    }
  | { readonly kind: 'crash'; readonly message: string };

/** What `dispatch` answers (JSON). */
export interface DispatchResult {
  readonly outcome: DispatchOutcome;
  /** ctx.stash after the call: pipeline steps share it. */
  readonly stash: unknown;
  readonly state: InvocationState;
}

type Handler = (ctx: unknown) => unknown;
type ModuleFactory = (importModule: (name: string) => unknown) => Record<string, unknown>;

// The runtime's API, marked as the runtime's code (lockdown.ts) before resolver code can reach it.
const modules: Record<string, unknown> = {
  '@aws-appsync/utils': Object.freeze(markRuntimeApi({ util, extensions, runtime })),
  '@aws-appsync/utils/dynamodb': Object.freeze(markRuntimeApi({ ...dynamodbModule })),
};

function importModule(name: string): unknown {
  if (!Object.hasOwn(modules, name)) throw new Error(`Cannot find module '${name}' in the APPSYNC_JS runtime`);
  return modules[name];
}

function describe(thrown: unknown): string {
  if (thrown !== null && typeof thrown === 'object' && typeof (thrown as { message?: unknown }).message === 'string') {
    const { name, message } = thrown as { name?: unknown; message: string };
    return typeof name === 'string' && name !== 'Error' ? `${name}: ${message}` : message;
  }
  return String(thrown);
}

/**
 * A handler's outcome; a value is kept as its JSON text, the form it travels
 * in (the answer splices it in), so it is serialized once rather than copied
 * through JSON.parse and serialized again.
 */
type HandlerOutcome = Exclude<DispatchOutcome, { readonly kind: 'value' }> | { readonly kind: 'value'; readonly valueJson: string };

/** Runs one handler, turning whatever it does into a plain outcome. */
function runHandler(handler: Handler, context: Record<string, unknown>, state: InvocationState): HandlerOutcome {
  try {
    // What the handler returns travels as JSON: undefined is dropped, a function or cycle fails here. The
    // serialization runs as resolver code too, since it calls the value's toJSON methods and getters.
    const valueJson = withInvocation(state, () =>
      runResolverCode(() => {
        const value = handler(context);
        return value === undefined ? 'null' : (JSON.stringify(value) ?? 'null');
      }),
    );
    return { kind: 'value', valueJson };
  } catch (thrown) {
    if (isEarlyReturnSignal(thrown)) {
      return { kind: 'earlyReturn', value: thrown.value ?? null, ...(thrown.skipTo ? { skipTo: thrown.skipTo } : {}) };
    }
    if (isErrorSignal(thrown)) {
      const { message, errorType, data, errorInfo, unauthorized } = thrown;
      return { kind: 'error', message, errorType, data, errorInfo, unauthorized };
    }
    return { kind: 'crash', message: describe(thrown) };
  }
}

/**
 * The DispatchResult's JSON, as JSON.stringify({ outcome, stash, state }) of
 * the parsed value would write it: JSON.stringify of JSON.parse of a
 * JSON.stringify output gives that output back.
 */
function answerJson(outcome: HandlerOutcome, stash: unknown, state: InvocationState): string {
  if (outcome.kind !== 'value') return JSON.stringify({ outcome, stash, state } satisfies DispatchResult);
  // Every field of each type, already JSON, in JSON.stringify's order (the object's): a field added to either type
  // fails the type check here rather than going missing from this branch only.
  const valueOutcome: JsonFields<Extract<DispatchOutcome, { readonly kind: 'value' }>> = { kind: '"value"', value: outcome.valueJson };
  const result: JsonFields<DispatchResult> = { outcome: jsonObject(valueOutcome), stash: JSON.stringify(stash), state: JSON.stringify(state) };
  return jsonObject(result);
}

/** Each field of T as its JSON text. */
type JsonFields<T> = { readonly [K in keyof T]-?: string };

/** The JSON object of fields already JSON, in their order. */
function jsonObject(fields: Readonly<Record<string, string>>): string {
  return `{${Object.entries(fields)
    .map(([name, json]) => `${JSON.stringify(name)}:${json}`)
    .join(',')}}`;
}

function bootstrap(): void {
  const holder = globalThis as typeof globalThis & { [hostSlot]?: SandboxHost; [controlSlot]?: unknown };
  const host = holder[hostSlot];
  delete holder[hostSlot];
  if (!host) throw new Error('the sandbox host bridge is missing');
  const randomHex = host.randomHex;
  // Only a string comes back: resolver code never holds the host's function.
  installEntropySource((byteCount) => String(randomHex(byteCount)));

  // console.* as AppSync offers it (to CloudWatch Logs); the host gets one string per call.
  const log = host.log;
  const format = (values: unknown[]) =>
    values.map((value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)))).join(' ');
  const sandboxConsole = Object.freeze(
    markRuntimeApi(
      Object.fromEntries(['log', 'info', 'warn', 'error', 'debug'].map((level) => [level, (...values: unknown[]) => log(level, format(values))])),
    ),
  );
  Object.defineProperty(globalThis, 'console', { value: sandboxConsole, enumerable: false, writable: true, configurable: true });

  // As on AppSync, `util` works without an import.
  Object.defineProperty(globalThis, 'util', { value: util, enumerable: false, writable: false, configurable: false });

  // Resolver code's import function (module-script.ts) is the runtime's too.
  const { importModule: importForResolver } = markRuntimeApi({ importModule });
  let handlers: { request: Handler; response: Handler } | undefined;
  let input = '';
  let carried = '';
  let lastOutcomeKind = '';
  const control = Object.freeze({
    /** Evaluates a converted bundle (sandbox.ts) and keeps its request/response exports. */
    load(factory: ModuleFactory): string {
      // The bundle's top level is resolver code as well.
      const exports = runResolverCode(() => factory(importForResolver));
      const { request, response } = exports;
      if (typeof request !== 'function' || typeof response !== 'function') return 'the code must export request(ctx) and response(ctx) functions';
      handlers = { request: request as Handler, response: response as Handler };
      return '';
    },
    /**
     * The next call's input (DispatchInput's JSON) and, in a chain (sandbox-worker.mjs), the answer of
     * the call before it (DispatchResult's JSON, a value outcome): its value, stash and state replace
     * ctx.prev.result, ctx.stash and the state of `json`, so the thread hands them on without parsing them.
     */
    setInput(json: string, previousAnswer = ''): void {
      input = String(json);
      carried = String(previousAnswer);
    },
    /** The outcome kind of the last dispatch: the thread chains the next call only after a value. */
    outcomeKind(): string {
      return lastOutcomeKind;
    },
    dispatch(): string {
      if (!handlers) throw new Error('no resolver code is loaded');
      lastOutcomeKind = '';
      const call = JSON.parse(input) as DispatchInput;
      const context = call.context;
      let callState = call.state;
      if (carried !== '') {
        const previous = JSON.parse(carried) as DispatchResult;
        if (previous.outcome.kind !== 'value') throw new Error('only a value is handed on to the next handler');
        context.prev = { result: previous.outcome.value };
        context.stash = previous.stash;
        callState = previous.state;
      }
      const state = { ...createInvocationState(callState.authType), ...callState };
      const outcome = runHandler(handlers[call.handler], context, state);
      // The kind is what the answer says, so it is set only once the answer is sure: a stash or result that is not
      // JSON turns a value into a crash, and a crash is never handed on to the next handler of a chain.
      let stash: unknown;
      try {
        // As resolver code: the stash's toJSON methods and getters are the resolver's.
        stash = JSON.parse(runResolverCode(() => JSON.stringify(context.stash ?? {})));
      } catch (thrown) {
        lastOutcomeKind = 'crash';
        return JSON.stringify({ outcome: { kind: 'crash', message: `ctx.stash is not JSON: ${describe(thrown)}` }, stash: {}, state } satisfies DispatchResult);
      }
      try {
        const answer = answerJson(outcome, stash, state);
        lastOutcomeKind = outcome.kind;
        return answer;
      } catch (thrown) {
        lastOutcomeKind = 'crash';
        return JSON.stringify({ outcome: { kind: 'crash', message: describe(thrown) }, stash, state: createInvocationState(state.authType) } satisfies DispatchResult);
      }
    },
  });
  Object.defineProperty(globalThis, controlSlot, { value: control, enumerable: false, writable: false, configurable: false });

  restrictBuiltIns();
}

bootstrap();
