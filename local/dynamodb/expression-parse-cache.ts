/**
 * dynalite parses every expression of every request again (its PEG parsers
 * for condition, update and projection expressions), and the parse is a
 * good share of a conditional PutItem's CPU: `attribute_not_exists(pk)` takes
 * ~0.1-0.3 ms, more than reading and writing the item. The same expressions
 * come back with every request of a kind, so a parse is kept and replayed.
 *
 * A parse depends on more than the expression: it resolves `#name`s and
 * `:value`s (the values are embedded in the tree it returns), its errors name
 * them, some checks read the values' types and contents (BETWEEN bounds,
 * attribute_type), and it marks in the caller's `unusedAttrNames` and
 * `unusedAttrVals` which ones it used. So the key is the parser, the
 * expression and the JSON of the request's whole ExpressionAttributeNames and
 * ExpressionAttributeValues (parsed from the request's JSON, so equal JSON is
 * equal input), and a kept parse carries the names and values it marked used,
 * which a replay marks again. A request whose key is long (large values) is
 * parsed as before, and so is everything that failed (syntax or semantic
 * error): only answers that succeeded are kept.
 *
 * dynalite's validation changes what a parse returned (a key condition's
 * comparison is flipped and rewritten in place), so what is kept is a copy,
 * and each replay returns its own copy. Copies keep the null prototypes
 * dynalite gives its path tables (`pathHeads`, `nestedPaths`), whose lookups
 * by attribute name must not find `constructor` on Object.prototype.
 *
 * Each parser keeps parses whose keys add up to at most `maxKeptChars`
 * characters, none longer than `maxKeyChars` (the least recently used
 * dropped first; a tree holds the same paths and values as objects, up to
 * about a hundred times its key's size for 4 Ki of `a < b OR …` (measured:
 * ~30 MiB kept by the condition parser at worst, ~55 MiB for all three; only
 * the functions and the resolvers choose expression texts, clients only
 * values): requests
 * with ever new expressions or values cost a parse each, as before, and
 * cannot grow the process past that bound.
 *
 * @example
 * const parser = require('dynalite/db/conditionParser');
 * cacheExpressionParses([parser]);
 */

/** What dynalite's validation hands a parser (validations/index.js parse()). */
export interface ParseContext {
  attrNames?: Record<string, unknown> | null;
  attrVals?: Record<string, unknown> | null;
  unusedAttrNames?: Record<string, unknown> | null;
  unusedAttrVals?: Record<string, unknown> | null;
  isReserved?: unknown;
  compare?: unknown;
  [other: string]: unknown;
}

export type ExpressionParse = (input: string, options?: { context?: ParseContext; [other: string]: unknown }) => unknown;

/** One of dynalite's generated parser modules (db/conditionParser.js, …): `parse` is looked up at each call. */
export interface ParserModule {
  parse: ExpressionParse;
}

/** The keys of the parses one parser keeps add up to at most this many characters (~0.5 MiB). */
export const maxKeptChars = 256 * 1024;

/** Longer keys (an expression with large values) are parsed every time. */
export const maxKeyChars = 4096;

interface KeptParse {
  readonly tree: unknown;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

const wrapped = Symbol('labelcast.expressionParseCache');

/**
 * A copy of a parse tree: JSON-like data (dynalite builds it from JSON), null prototypes kept, and an object
 * reached twice (a path listed in an update's sections and in its paths) copied once, so it stays shared.
 */
export function copyTree<T>(value: T, copies: Map<object, unknown> = new Map()): T {
  if (value === null || typeof value !== 'object') return value;
  const seen = copies.get(value);
  if (seen !== undefined) return seen as T;
  if (Array.isArray(value)) {
    const array: unknown[] = [];
    copies.set(value, array);
    for (const element of value as unknown[]) array.push(copyTree(element, copies));
    return array as T;
  }
  const source = value as Record<string, unknown>;
  const copy: Record<string, unknown> = Object.getPrototypeOf(source) === null ? (Object.create(null) as Record<string, unknown>) : {};
  copies.set(value, copy);
  for (const key of Object.keys(source)) {
    // Assigning `__proto__` (a map attribute may be named so) would set the copy's prototype, not add the key.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: copyTree(source[key], copies), enumerable: true, writable: true, configurable: true });
    else copy[key] = copyTree(source[key], copies);
  }
  return copy as T;
}

/** Every key of `map` marked unused, as validateExpressions marks them before it parses. */
function allUnused(map: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const marks = Object.create(null) as Record<string, unknown>;
  if (map) for (const key of Object.keys(map)) marks[key] = true;
  return marks;
}

function markUsed(unused: Record<string, unknown> | null | undefined, used: readonly string[]): void {
  if (!unused) return;
  for (const key of used) delete unused[key];
}

/**
 * A parse that keeps and replays `parse`'s successful answers. Only calls
 * shaped as dynalite's validation makes them are kept (a context and nothing
 * else, the same isReserved and compare each time); any other call goes to
 * `parse` as it is.
 */
export function cachingParse(parse: ExpressionParse, capacityChars: number = maxKeptChars): ExpressionParse {
  const kept = new Map<string, KeptParse>();
  let keptChars = 0;
  let helpers: { isReserved: unknown; compare: unknown } | undefined;

  return (input, options) => {
    const context = options?.context;
    const plainCall = options !== undefined && Object.keys(options).length === 1 && typeof input === 'string' && context !== undefined && context !== null;
    if (!plainCall) return parse(input, options);
    helpers ??= { isReserved: context.isReserved, compare: context.compare };
    if (context.isReserved !== helpers.isReserved || context.compare !== helpers.compare) return parse(input, options);

    const key = JSON.stringify([input, context.attrNames ?? null, context.attrVals ?? null]);
    if (key.length > Math.min(maxKeyChars, capacityChars)) return parse(input, options);
    const hit = kept.get(key);
    if (hit) {
      // Most recently used last: the oldest is dropped first.
      kept.delete(key);
      kept.set(key, hit);
      markUsed(context.unusedAttrNames, hit.usedNames);
      markUsed(context.unusedAttrVals, hit.usedValues);
      return copyTree(hit.tree);
    }
    // Parsed with every name and value marked unused, so what it marks used is exactly what this expression uses.
    const unusedNames = allUnused(context.attrNames);
    const unusedValues = allUnused(context.attrVals);
    const tree = parse(input, { context: { ...context, unusedAttrNames: unusedNames, unusedAttrVals: unusedValues } });
    const usedNames = Object.keys(context.attrNames ?? {}).filter((name) => !(name in unusedNames));
    const usedValues = Object.keys(context.attrVals ?? {}).filter((name) => !(name in unusedValues));
    markUsed(context.unusedAttrNames, usedNames);
    markUsed(context.unusedAttrVals, usedValues);
    // A string is a semantic error (dynalite returns those, and throws syntax errors): parsed again each time.
    if (tree !== null && typeof tree === 'object') {
      kept.set(key, { tree: copyTree(tree), usedNames, usedValues });
      keptChars += key.length;
      // Maps iterate in insertion order: the first key is the least recently used.
      for (const oldest of kept.keys()) {
        if (keptChars <= capacityChars) break;
        kept.delete(oldest);
        keptChars -= oldest.length;
      }
    }
    return tree;
  };
}

/** Replaces each module's `parse` with a caching one, once (a second call leaves a wrapped parser as it is). */
export function cacheExpressionParses(parsers: readonly ParserModule[]): void {
  for (const parser of parsers) {
    if ((parser.parse as { [wrapped]?: true })[wrapped]) continue;
    const parse = Object.assign(cachingParse(parser.parse), { [wrapped]: true as const });
    parser.parse = parse;
  }
}
