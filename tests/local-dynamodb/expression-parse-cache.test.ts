/**
 * The local DynamoDB keeps what dynalite parsed of each expression
 * (local/dynamodb/expression-parse-cache.ts): a replayed parse must be what a
 * fresh parse gives (tree, null prototypes, names and values marked used),
 * its own copy, never an error, and the kept parses stay within their bound.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  cacheExpressionParses,
  cachingParse,
  copyTree,
  type ExpressionParse,
  type ParseContext,
  type ParserModule,
} from '../../local/dynamodb/expression-parse-cache.ts';

const requireDynalite = createRequire(import.meta.url);
const conditionParser = requireDynalite('dynalite/db/conditionParser') as ParserModule;
const updateParser = requireDynalite('dynalite/db/updateParser') as ParserModule;
const projectionParser = requireDynalite('dynalite/db/projectionParser') as ParserModule;
const validations = requireDynalite('dynalite/validations') as { validateExpressions(data: Record<string, unknown>): string | undefined };
const db = requireDynalite('dynalite/db') as { compare: unknown };

/** dynalite's own parse functions, kept before any test installs the cache on the shared modules. */
const raw = { condition: conditionParser.parse, update: updateParser.parse, projection: projectionParser.parse };

/** A stand-in for dynalite's reserved-word check (a few of its words): the same function in every context. */
const reservedWords = new Set(['STATUS', 'NAME', 'SIZE']);
const isReserved = (name: string) => reservedWords.has(name.toUpperCase());

/** A context as validateExpressions builds it: every name and value unused. */
function contextFor(names?: Record<string, string>, values?: Record<string, unknown>): ParseContext {
  const unused = (map?: object) => Object.fromEntries(Object.keys(map ?? {}).map((key) => [key, true]));
  return { attrNames: names, attrVals: values, unusedAttrNames: unused(names), unusedAttrVals: unused(values), isReserved, compare: db.compare };
}

/** The outcome of one parse: its answer (or thrown message) and what it left unused, prototypes spelled out. */
function outcome(parse: ExpressionParse, input: string, context: ParseContext) {
  const shape = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(shape);
    const entries = Object.entries(value).map(([key, inner]) => [key, shape(inner)]);
    return { proto: Object.getPrototypeOf(value) === null ? 'null' : 'object', entries };
  };
  let answer: unknown;
  try {
    answer = shape(parse(input, { context }));
  } catch (error) {
    answer = `threw ${(error as Error).message}`;
  }
  return { answer, unusedNames: Object.keys(context.unusedAttrNames ?? {}), unusedValues: Object.keys(context.unusedAttrVals ?? {}) };
}

/** Expressions with the names and values they come with: successes, semantic errors and syntax errors. */
const cases: { parser: keyof typeof raw; input: string; names?: Record<string, string>; values?: Record<string, unknown> }[] = [
  { parser: 'condition', input: 'attribute_not_exists(pk)' },
  { parser: 'condition', input: 'attribute_exists(#p) AND #s = :s', names: { '#p': 'pk', '#s': 'status', '#unused': 'x' }, values: { ':s': { S: 'PENDING' }, ':extra': { N: '1' } } },
  { parser: 'condition', input: 'a.b[2] BETWEEN :lo AND :hi', values: { ':lo': { N: '1' }, ':hi': { N: '5' } } },
  { parser: 'condition', input: 'a BETWEEN :lo AND :hi', values: { ':lo': { N: '5' }, ':hi': { N: '1' } } },
  { parser: 'condition', input: 'attribute_type(a, :t)', values: { ':t': { S: 'SS' } } },
  { parser: 'condition', input: 'attribute_type(a, :t)', values: { ':t': { S: 'XX' } } },
  { parser: 'condition', input: 'status = :s', values: { ':s': { S: 'x' } } },
  { parser: 'condition', input: '#missing = :s', values: { ':s': { S: 'x' } } },
  { parser: 'condition', input: 'a = = b' },
  { parser: 'update', input: 'SET #s = :s, labels = list_append(labels, :l) REMOVE gone ADD n :one', names: { '#s': 'status' }, values: { ':s': { S: 'LABELED' }, ':l': { L: [{ S: 'cat' }] }, ':one': { N: '1' } } },
  { parser: 'update', input: 'SET a = :v, a = :v', values: { ':v': { S: 'x' } } },
  // A map attribute named `__proto__` (JSON.parse makes it an own key, as a request body does).
  { parser: 'update', input: 'SET m = :m', values: JSON.parse('{ ":m": { "M": { "__proto__": { "S": "x" }, "b": { "S": "y" } } } }') as Record<string, unknown> },
  { parser: 'projection', input: 'pk, #n, a.b[1]', names: { '#n': 'name' } },
  { parser: 'projection', input: 'pk, name' },
];

describe('Function: cachingParse', () => {
  it('answers each expression, kept or not, as dynalite parses it, and marks the same names and values used', () => {
    for (const testCase of cases) {
      // Prepare: a fresh cache over dynalite's own parser.
      const parse = cachingParse(raw[testCase.parser]);
      const expected = outcome(raw[testCase.parser], testCase.input, contextFor(testCase.names, testCase.values));
      // Act: the first parse (kept if it succeeds) and the replay.
      const first = outcome(parse, testCase.input, contextFor(testCase.names, testCase.values));
      const replay = outcome(parse, testCase.input, contextFor(testCase.names, testCase.values));
      // Assess
      expect(first, testCase.input).toEqual(expected);
      expect(replay, testCase.input).toEqual(expected);
    }
  });

  it('replays a parse as a copy of its own: changing one answer does not change the next', () => {
    const parse = cachingParse(raw.condition);
    const values = { ':v': { S: 'x' } };
    const first = parse('a = :v', { context: contextFor(undefined, values) }) as { expression: { type: string; args: unknown[] } };
    first.expression.type = 'changed';
    const second = parse('a = :v', { context: contextFor(undefined, values) }) as { expression: { type: string; args: unknown[] } };
    second.expression.args.push('changed');
    const third = parse('a = :v', { context: contextFor(undefined, values) }) as { expression: { type: string; args: unknown[] } };
    expect(third.expression).toEqual({ type: '=', args: [['a'], { S: 'x' }] });
  });

  it('keys a parse by the values it was given, not only the expression', () => {
    const parse = cachingParse(raw.condition);
    const ok = parse('a BETWEEN :lo AND :hi', { context: contextFor(undefined, { ':lo': { N: '1' }, ':hi': { N: '5' } }) });
    const reversed = parse('a BETWEEN :lo AND :hi', { context: contextFor(undefined, { ':lo': { N: '5' }, ':hi': { N: '1' } }) });
    expect(typeof ok).toBe('object');
    expect(reversed).toMatch(/upper bound to be greater than or equal to lower bound/);
  });

  it('keeps only answers that succeeded, and keys of at most its capacity in characters, the least recently used dropped first', () => {
    // Prepare: count what reaches dynalite's parser.
    let parses = 0;
    const counted: ExpressionParse = (input, options) => {
      parses += 1;
      return raw.condition(input, options);
    };
    // Room for the keys of two parses: each key here is the same length (["a = b",null,null]).
    const parse = cachingParse(counted, 2 * JSON.stringify(['a = b', null, null]).length);
    const run = (input: string) => {
      try {
        parse(input, { context: contextFor() });
      } catch {
        // a syntax error: counted all the same
      }
    };
    // Act / Assess: errors are parsed every time.
    run('a = = b');
    run('a = = b');
    run('status = b');
    run('status = b');
    expect(parses).toBe(4);
    // Two kept, a replay of the first makes the second the oldest, a third drops it.
    run('a = b');
    run('c = d');
    run('a = b');
    run('e = f');
    expect(parses).toBe(7);
    run('a = b');
    expect(parses).toBe(7);
    run('c = d');
    expect(parses).toBe(8);
  });

  it('parses every time a call that is not shaped as dynalite validation makes it', () => {
    let parses = 0;
    const parse = cachingParse((input, options) => {
      parses += 1;
      return raw.condition(input, options);
    });
    parse('a = b', { context: contextFor() });
    parse('a = b', { context: contextFor(), startRule: 'Start' });
    parse('a = b', { context: { ...contextFor(), isReserved: () => false } });
    expect(parses).toBe(3);
  });
});

describe('Function: copyTree', () => {
  it('copies null-prototype tables as null-prototype tables and keeps shared objects shared', () => {
    const shared = ['a', 'b'];
    const heads = Object.assign(Object.create(null) as Record<string, boolean>, { a: true });
    const copy = copyTree({ sections: [shared], paths: [shared], heads });
    expect(Object.getPrototypeOf(copy.heads)).toBeNull();
    expect(copy.sections[0]).toBe(copy.paths[0]);
    expect(copy.sections[0]).not.toBe(shared);
    expect(copy.sections[0]).toEqual(shared);
  });
});

describe('Function: cacheExpressionParses, under dynalite validation', () => {
  it('reports unused names and values on a replay as on the first parse', () => {
    // Prepare: dynalite's parser modules with the cache, as the local DynamoDB installs it (twice: installed once).
    cacheExpressionParses([conditionParser, updateParser, projectionParser]);
    const cached = conditionParser.parse;
    cacheExpressionParses([conditionParser, updateParser, projectionParser]);
    expect(conditionParser.parse).toBe(cached);
    const request = () => ({
      UpdateExpression: 'SET a = :v',
      ConditionExpression: 'attribute_exists(#k) AND b = :v',
      ExpressionAttributeNames: { '#k': 'pk', '#spare': 'x' },
      ExpressionAttributeValues: { ':v': { S: 'x' }, ':w': { S: 'y' } },
    });
    const message = 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#spare}';
    // Act / Assess: first parse, replay, and the same request without the spare name (no error).
    expect(validations.validateExpressions(request())).toBe(message);
    expect(validations.validateExpressions(request())).toBe(message);
    const withoutSpare = { ...request(), ExpressionAttributeNames: { '#k': 'pk' } };
    expect(validations.validateExpressions(withoutSpare)).toBe('Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}');
    const used = { ...withoutSpare, ExpressionAttributeValues: { ':v': { S: 'x' } } };
    expect(validations.validateExpressions(used)).toBeUndefined();
    expect(validations.validateExpressions(used)).toBeUndefined();
  });
});
