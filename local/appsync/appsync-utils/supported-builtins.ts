/**
 * The built-in methods the APPSYNC_JS runtime offers resolver code, receiver by receiver: what the sandbox
 * leaves callable (lockdown.ts replaces every other method of these receivers with one that fails, naming it).
 *
 * Source: the AppSync Developer Guide's "Supported runtime features"
 * (https://docs.aws.amazon.com/appsync/latest/devguide/supported-features.html), read on 2026-12-01 (a stored
 * copy), and, where the page says nothing of a method, the deny list of @aws-appsync/eslint-plugin 2.0.2's
 * no-disallowed-methods rule (DENIED_METHODS in lib/rules/no-disallowed-methods.js). That rule matches on
 * TypeScript types, so it never fires on `any` values (ctx.result, ctx.stash, ctx.args…) nor on the static
 * methods its list names (Array.from, String.fromCharCode: TypeScript declares those on ArrayConstructor and
 * StringConstructor); the sandbox refuses them at run time instead.
 *
 * The rule applied, method by method:
 * - listed on the page: supported ('listed');
 * - the page says nothing of it and the plugin does not deny it: supported ('unlisted'); the page's lists are not
 *   complete (its Globals section names no Object, String or Math, which it documents), so silence is not a refusal;
 * - the plugin denies it: unsupported ('plugin'), String.raw included, which the page lists: two AWS sources
 *   disagree, and the stricter one keeps a resolver from passing offline and failing once deployed;
 * - the page says it is not supported (Function's apply, bind and call; Array.fromAsync, whose answer is a promise,
 *   and the page supports none): unsupported ('page').
 * No method is refused on any other ground. Receivers neither source restricts (Number.prototype, Date, RegExp,
 * Map…) are not listed and keep every method. Symbol-keyed members (the iterators for-of uses) are not methods
 * resolver code names and stay as they are.
 *
 * tests/local-appsync-runtime/supported-builtins.test.ts holds this table to both sources: every method the plugin
 * denies is unsupported here, nothing is refused but what a source refuses, and every method the running V8 has
 * on these receivers is decided one way or the other (a Node upgrade that adds one fails it until it is).
 */

/** The objects whose methods the table decides, named as resolver code reaches them from the global scope. */
export type BuiltInReceiver =
  | 'Object'
  | 'String'
  | 'String.prototype'
  | 'Number'
  | 'Math'
  | 'Array'
  | 'Array.prototype'
  | 'JSON'
  | 'Date.prototype'
  | 'Function.prototype';

export type SupportedBecause = 'listed' | 'unlisted';
export type UnsupportedBecause = 'plugin' | 'page';

type Table<Reason> = { readonly [Receiver in BuiltInReceiver]: Readonly<Record<string, Reason>> };

const listed = (...names: string[]) => Object.fromEntries(names.map((name) => [name, 'listed' as const]));
const unlisted = (...names: string[]) => Object.fromEntries(names.map((name) => [name, 'unlisted' as const]));
const byPlugin = (...names: string[]) => Object.fromEntries(names.map((name) => [name, 'plugin' as const]));
const byPage = (...names: string[]) => Object.fromEntries(names.map((name) => [name, 'page' as const]));

/** The allowlist: each receiver's methods resolver code may call. */
export const supportedBuiltIns: Table<SupportedBecause> = {
  Object: { ...listed('assign', 'entries', 'hasOwn', 'keys', 'values'), ...unlisted('fromEntries', 'groupBy') },
  String: {},
  'String.prototype': {
    // The page's `String.prototype.length()` is the length property, not a method.
    ...listed('charAt', 'concat', 'endsWith', 'indexOf', 'lastIndexOf', 'replace', 'replaceAll', 'slice', 'split'),
    ...listed('startsWith', 'toLowerCase', 'toUpperCase', 'trim', 'trimEnd', 'trimStart'),
    ...unlisted('at', 'codePointAt', 'includes', 'isWellFormed', 'match', 'normalize', 'substr', 'substring', 'toString'),
    ...unlisted('toWellFormed', 'trimLeft', 'trimRight'),
    ...unlisted('anchor', 'big', 'blink', 'bold', 'fixed', 'fontcolor', 'fontsize', 'italics', 'link', 'small', 'strike', 'sub', 'sup'),
  },
  Number: { ...listed('isFinite', 'isNaN'), ...unlisted('isInteger', 'isSafeInteger', 'parseFloat', 'parseInt') },
  Math: {
    ...listed('random', 'min', 'max', 'round', 'floor', 'ceil'),
    ...unlisted('abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'cbrt', 'clz32', 'cos', 'cosh', 'exp', 'expm1'),
    ...unlisted('f16round', 'fround', 'hypot', 'imul', 'log', 'log10', 'log1p', 'log2', 'pow', 'sign', 'sin', 'sinh', 'sqrt'),
    ...unlisted('sumPrecise', 'tan', 'tanh', 'trunc'),
  },
  Array: unlisted('isArray'),
  'Array.prototype': {
    ...listed('concat', 'fill', 'flat', 'indexOf', 'join', 'lastIndexOf', 'pop', 'push', 'reverse', 'shift', 'slice', 'sort'),
    ...listed('splice', 'unshift', 'forEach', 'map', 'flatMap', 'filter', 'reduce', 'reduceRight', 'find', 'some', 'every'),
    ...listed('findIndex', 'findLast', 'findLastIndex'),
    ...unlisted('at', 'includes', 'toReversed', 'toSorted', 'toSpliced', 'with'),
  },
  JSON: { ...listed('parse', 'stringify'), ...unlisted('isRawJSON', 'rawJSON') },
  'Date.prototype': {
    ...unlisted('getDate', 'getDay', 'getFullYear', 'getHours', 'getMilliseconds', 'getMinutes', 'getMonth', 'getSeconds'),
    ...unlisted('getTime', 'getTimezoneOffset', 'getUTCDate', 'getUTCDay', 'getUTCFullYear', 'getUTCHours'),
    ...unlisted('getUTCMilliseconds', 'getUTCMinutes', 'getUTCMonth', 'getUTCSeconds', 'getYear'),
    ...unlisted('toDateString', 'toISOString', 'toJSON', 'toString', 'toTimeString', 'toUTCString', 'valueOf'),
  },
  'Function.prototype': unlisted('toString'),
};

/**
 * What the sources refuse, and which one. A name here is refused on its receiver even where it is only inherited:
 * the plugin's ObjectConstructor entries hasOwnProperty, isPrototypeOf, … are Object.prototype's methods reached
 * through the Object function (`Object.hasOwnProperty(…)`), so they are refused there, not on every object.
 */
export const unsupportedBuiltIns: Table<UnsupportedBecause> = {
  Object: byPlugin(
    'create', 'defineProperties', 'defineProperty', 'freeze', 'getOwnPropertyDescriptor', 'getOwnPropertyDescriptors',
    'getOwnPropertyNames', 'getOwnPropertySymbols', 'getPrototypeOf', 'hasOwnProperty', 'is', 'isExtensible', 'isFrozen',
    'isPrototypeOf', 'isSealed', 'preventExtensions', 'propertyIsEnumerable', 'seal', 'setPrototypeOf', 'toLocaleString',
    'toString', 'valueOf',
  ),
  String: byPlugin('fromCharCode', 'fromCodePoint', 'raw'),
  'String.prototype': byPlugin(
    'charCodeAt', 'localeCompare', 'matchAll', 'padEnd', 'padStart', 'repeat', 'search', 'toLocaleLowerCase', 'toLocaleUpperCase',
    'valueOf',
  ),
  Number: {},
  Math: {},
  // fromAsync (Node 22 on) answers a promise, and the page supports none.
  Array: { ...byPlugin('from', 'of'), ...byPage('fromAsync') },
  'Array.prototype': byPlugin('copyWithin', 'entries', 'group', 'groupToMap', 'keys', 'toLocaleString', 'toString', 'values'),
  JSON: {},
  'Date.prototype': byPlugin(
    'setDate', 'setFullYear', 'setHours', 'setMilliseconds', 'setMinutes', 'setMonth', 'setSeconds', 'setTime', 'setUTCDate',
    'setUTCFullYear', 'setUTCHours', 'setUTCMilliseconds', 'setUTCMinutes', 'setUTCMonth', 'setUTCSeconds', 'setYear',
    'toGMTString', 'toLocaleDateString', 'toLocaleString', 'toLocaleTimeString',
  ),
  'Function.prototype': byPage('apply', 'bind', 'call'),
};
