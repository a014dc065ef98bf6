/**
 * The parsed-document cache stays under its byte budget: distinct large
 * documents are parsed for their request and not kept, everyday ones are
 * kept until the budget says otherwise. And the validation parseOperation
 * adds to graphql-js's: Float literals beyond a double are refused.
 */
import { describe, expect, it } from 'vitest';
import { defaultDocumentCacheLimits, documentCache, estimatedBytesPerChar } from '../../local/appsync/server/document-cache.ts';
import { parsedDocumentCache, parseOperation } from '../../local/appsync/server/documents.ts';
import { buildServedSchema } from '../../local/appsync/server/schema.ts';

/**
 * A valid query of about `chars` characters, distinct per `seed`: aliases of
 * __typename, named long enough that a megabyte stays within the parser's
 * 15,000 tokens (3 an alias).
 */
const aliasQuery = (chars: number, seed: number) => {
  const aliases: string[] = [];
  let length = 4;
  for (let index = 0; length < chars; index += 1) {
    const alias = `s${seed}a${index}${'_'.repeat(240)}: __typename`;
    aliases.push(alias);
    length += alias.length + 1;
  }
  return `{ ${aliases.join(' ')} }`;
};

describe('Function: parseOperation', () => {
  it('keeps none of 5 distinct documents past the length it keeps, and still answers each', () => {
    // Prepare: each just past the longest kept; 5 together within the byte budget, so only the length rule refuses them
    const served = buildServedSchema();
    const cache = parsedDocumentCache(served);
    const { maxDocumentChars, maxBytes } = cache.limits;
    const documents = Array.from({ length: 5 }, (_, seed) => aliasQuery(maxDocumentChars + 1_000, seed));
    expect(Math.min(...documents.map((text) => text.length))).toBeGreaterThan(maxDocumentChars);
    expect(documents.join('').length * estimatedBytesPerChar).toBeLessThan(maxBytes);

    // Act
    for (const text of documents) {
      const parsed = parseOperation(served, text, null);
      expect(parsed.ok).toBe(true);
    }

    // Assess
    expect(cache.bytes).toBeLessThanOrEqual(cache.limits.maxBytes);
    expect(cache.size).toBe(0);
  });

  it('keeps everyday documents and answers the same text from the cache', () => {
    // Prepare
    const served = buildServedSchema();
    const query = '{ image(id: "x") { id labels { name } } }';

    // Act
    const first = parseOperation(served, query, null);
    const second = parseOperation(served, query, null);

    // Assess
    expect(second).toBe(first);
    expect(parsedDocumentCache(served).size).toBe(1);
    expect(parsedDocumentCache(served).bytes).toBe((query.length + 1) * estimatedBytesPerChar);
  });
});

describe('Rule: finiteFloatLiterals', () => {
  it.each(['1e400', '-1e400', '1' + '0'.repeat(400)])('refuses the Float literal %s, beyond a double, as graphql-js refuses a literal its scalar cannot read', (literal) => {
    // Act
    const parsed = parseOperation(buildServedSchema(), `{ imagesByLabel(label: "cat", minConfidence: ${literal}) { items { id } } }`, null);

    // Assess
    expect(parsed).toMatchObject({ ok: false, errors: [{ message: expect.stringMatching(/^Validation error of type WrongType: Expected value of type "Float", found -?1.*beyond a double's range/) }] });
  });

  it('takes Float literals a double holds, the smallest and largest included', () => {
    for (const literal of ['55', '1e-300', '5e-324', '1.7976931348623157e308', '-0.0']) {
      expect(parseOperation(buildServedSchema(), `{ imagesByLabel(label: "cat", minConfidence: ${literal}) { items { id } } }`, null).ok).toBe(true);
    }
  });
});

describe('Function: documentCache', () => {
  it('stays under its byte budget with many distinct documents, least recently used out first', () => {
    // Prepare: room for about three 30 K-character documents
    const cache = documentCache<string>({ maxEntries: 500, maxBytes: 100_000 * estimatedBytesPerChar, maxDocumentChars: 32 * 1024 });
    const texts = Array.from({ length: 10 }, (_, seed) => aliasQuery(30_000, seed));

    // Act
    cache.set(texts[0]!, 'kept');
    for (const text of texts.slice(1, 9)) {
      cache.get(texts[0]!); // used again and again, so it stays
      cache.set(text, 'value');
      expect(cache.bytes).toBeLessThanOrEqual(cache.limits.maxBytes);
    }

    // Assess
    expect(cache.size).toBe(3);
    expect(cache.get(texts[0]!)).toBe('kept');
    expect(cache.get(texts[8]!)).toBe('value');
    expect(cache.get(texts[1]!)).toBeUndefined();
    expect(cache.bytes).toBe(texts[0]!.length * estimatedBytesPerChar + texts[7]!.length * estimatedBytesPerChar + texts[8]!.length * estimatedBytesPerChar);
  });

  it('does not keep a document longer than maxDocumentChars', () => {
    // Prepare
    const cache = documentCache<string>();
    const text = aliasQuery(defaultDocumentCacheLimits.maxDocumentChars + 100, 1);

    // Act
    cache.set(text, 'value');

    // Assess
    expect(cache.get(text)).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('still caps the number of entries', () => {
    // Prepare
    const cache = documentCache<number>({ ...defaultDocumentCacheLimits, maxEntries: 2 });

    // Act
    for (let index = 0; index < 5; index += 1) cache.set(`{ a${index}: __typename }`, index);

    // Assess
    expect(cache.size).toBe(2);
    expect(cache.get('{ a4: __typename }')).toBe(4);
  });
});
