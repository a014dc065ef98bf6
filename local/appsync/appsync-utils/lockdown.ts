/**
 * Holds resolver code to the built-in methods the APPSYNC_JS runtime offers (supported-builtins.ts), inside the
 * sandbox's realm: every other method of the table's receivers is replaced by one that, called from resolver
 * code, throws a TypeError naming it ("String.prototype.padStart is not supported by the APPSYNC_JS runtime"),
 * which the resolver's field then fails with, as with any other error its code throws.
 *
 * Resolver code and this runtime (util, extensions, runtime, the dynamodb module, console: AWS's own code on
 * AppSync, native there) share the realm, and the runtime uses methods resolver code may not (util.autoId pads
 * with padStart, util.escapeJavaScript reads charCodeAt). So a replaced method refuses only while resolver code
 * runs: the sandbox runs a bundle's top level and each handler call through runResolverCode, and every function
 * of the runtime's API, marked by markRuntimeApi, runs as the runtime's until it returns, so a handler calling
 * util.autoId gets the real padStart inside it. Methods resolver code may call are not touched, so calling
 * them costs what it did; a call into the runtime's API costs one wrapper call.
 *
 * Checked at run time, not only on the source: the receiver is often `any` (ctx.result, ctx.stash), which the
 * plugin's type-aware rule cannot see.
 */
import { supportedBuiltIns, unsupportedBuiltIns, type BuiltInReceiver } from './supported-builtins.ts';

// Taken before any method is replaced, and never looked up again on objects resolver code can reach.
const apply = Reflect.apply;
const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const getOwnPropertyNames = Object.getOwnPropertyNames;
const getPrototypeOf = Object.getPrototypeOf;
const hasOwn = Object.hasOwn;
const objectKeys = Object.keys;

/** Whether the code running now is resolver code (rather than the runtime's, or the sandbox's own). */
let inResolverCode = false;

/** Runs `run` as resolver code: a refused method called meanwhile (outside the runtime's API) throws. */
export function runResolverCode<T>(run: () => T): T {
  const outer = inResolverCode;
  inResolverCode = true;
  try {
    return run();
  } finally {
    inResolverCode = outer;
  }
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** `method` as the runtime's: while it runs, refused methods work (AppSync's own code is not held to the list). */
function runtimeFunction(method: AnyFunction): AnyFunction {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const outer = inResolverCode;
    inResolverCode = false;
    try {
      return apply(method, this, args);
    } finally {
      inResolverCode = outer;
    }
  };
  defineProperty(wrapped, 'name', { value: method.name });
  return wrapped;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && getPrototypeOf(value) === Object.prototype;

/**
 * Marks every function of `api` (and of the plain objects in it: util.time, util.dynamodb…) as the runtime's,
 * in place. Call it on an object before resolver code can see it, and before freezing it.
 */
export function markRuntimeApi<T extends object>(api: T): T {
  const seen = new Set<object>();
  const visit = (object: Record<string, unknown>) => {
    if (seen.has(object)) return;
    seen.add(object);
    for (const key of objectKeys(object)) {
      const value = object[key];
      if (typeof value === 'function') object[key] = runtimeFunction(value as AnyFunction);
      else if (isPlainObject(value)) visit(value);
    }
  };
  visit(api as Record<string, unknown>);
  return api;
}

/** The table's receivers in the realm of `global`. */
function receiversOf(global: typeof globalThis): Record<BuiltInReceiver, object> {
  return {
    Object: global.Object,
    String: global.String,
    'String.prototype': global.String.prototype,
    Number: global.Number,
    Math: global.Math,
    Array: global.Array,
    'Array.prototype': global.Array.prototype,
    JSON: global.JSON,
    'Date.prototype': global.Date.prototype,
    'Function.prototype': global.Function.prototype,
  };
}

/**
 * Denied methods that the language itself calls to convert a value: Array.prototype.toString for `${list}`,
 * `'a' + list`, a join or sort of nested arrays, an array used as a key; String.prototype.valueOf for a String
 * object in arithmetic or concatenation. The deny list names them as explicit calls (its rule matches calls on
 * typed receivers, which the lint still flags), and nothing AWS publishes says the runtime refuses the conversions
 * the page's "Expression interpolation" and arrays imply, so they stay callable rather than refusing code AWS may run.
 */
const conversionHooks: Partial<Record<BuiltInReceiver, readonly string[]>> = {
  'Array.prototype': ['toString'],
  'String.prototype': ['valueOf'],
};

/**
 * The methods of the realm of `global` resolver code may not call, receiver by receiver: each receiver's own
 * methods the allowlist does not name (so a method V8 gained after the table was written is refused until the
 * table decides it), and the table's unsupported names it has, own or inherited; conversion hooks excepted.
 */
export function refusedBuiltIns(global: typeof globalThis): { readonly receiver: BuiltInReceiver; readonly method: string }[] {
  const refused: { receiver: BuiltInReceiver; method: string }[] = [];
  const receivers = receiversOf(global);
  for (const receiver of objectKeys(receivers) as BuiltInReceiver[]) {
    const target = receivers[receiver];
    const supported = supportedBuiltIns[receiver];
    const methods = new Set<string>();
    for (const method of getOwnPropertyNames(target)) {
      if (method === 'constructor' || hasOwn(supported, method)) continue;
      if (typeof getOwnPropertyDescriptor(target, method)?.value === 'function') methods.add(method);
    }
    for (const method of objectKeys(unsupportedBuiltIns[receiver])) {
      if (typeof (target as Record<string, unknown>)[method] === 'function') methods.add(method);
    }
    for (const method of methods) if (!conversionHooks[receiver]?.includes(method)) refused.push({ receiver, method });
  }
  return refused;
}

/** Replaces `target[method]` (own or inherited) with one that throws when resolver code calls it. */
function refuse(receiver: BuiltInReceiver, target: object, method: string): void {
  const original = (target as Record<string, unknown>)[method] as AnyFunction;
  const message = `${receiver}.${method} is not supported by the APPSYNC_JS runtime`;
  // A method definition: named like the original, and not a constructor.
  const refused = {
    [method](this: unknown, ...args: unknown[]): unknown {
      if (inResolverCode) throw new TypeError(message);
      return apply(original, this, args);
    },
  }[method];
  const own = getOwnPropertyDescriptor(target, method);
  defineProperty(target, method, { value: refused, writable: own?.writable ?? true, enumerable: own?.enumerable ?? false, configurable: true });
}

/** Replaces, in this realm (the sandbox's), every built-in method resolver code may not call (see refusedBuiltIns). */
export function restrictBuiltIns(): void {
  const receivers = receiversOf(globalThis);
  for (const { receiver, method } of refusedBuiltIns(globalThis)) refuse(receiver, receivers[receiver], method);
}
