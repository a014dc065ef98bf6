/**
 * Parsed and validated documents, kept for the next identical request:
 * clients send the same few small documents over and over.
 *
 * Bounded in bytes, not only in entries. A parsed document (graphql-js AST
 * with locations and tokens) takes 80 to 170 times its text in heap, as
 * measured on alias-heavy documents; 500 distinct 1 MB documents once took the
 * process past 4 GB. So each entry is charged an estimate of its heap size,
 * the cache stays under a byte budget (least recently used first out), and a
 * document too large to be worth keeping is not kept at all: it is parsed,
 * used once and collected with its request. A live subscription keeps its
 * document, cached or not, for as long as it lives; realtime/document-budget.ts
 * bounds what those hold.
 */

export interface DocumentCacheLimits {
  /** Most documents kept. */
  readonly maxEntries: number;
  /** Most estimated heap bytes kept, all entries together. */
  readonly maxBytes: number;
  /** Longest document text (in UTF-16 code units, as `string.length` counts) that is kept at all. */
  readonly maxDocumentChars: number;
}

/** Heap bytes charged per character of document text: above the 80–170 measured, so the estimate errs high. */
export const estimatedBytesPerChar = 200;

export const defaultDocumentCacheLimits: DocumentCacheLimits = {
  maxEntries: 500,
  // 64 MiB: a few hundred everyday documents (a few KB of text each).
  maxBytes: 64 * 1024 * 1024,
  // 32 Ki characters (about 6 MB estimated): larger documents are one-offs or attacks, not worth a slot.
  maxDocumentChars: 32 * 1024,
};

export interface DocumentCache<T> {
  get(text: string): T | undefined;
  /** Keeps `value` for `text` unless the text is too long to keep; evicts the least recently used as needed. */
  set(text: string, value: T): void;
  /** Estimated heap bytes of everything kept. */
  readonly bytes: number;
  readonly size: number;
  readonly limits: DocumentCacheLimits;
}

export function documentCache<T>(limits: DocumentCacheLimits = defaultDocumentCacheLimits): DocumentCache<T> {
  // A Map iterates in insertion order, so re-inserting on each hit makes the first key the least recently used.
  const entries = new Map<string, T>();
  let bytes = 0;
  const charge = (text: string) => text.length * estimatedBytesPerChar;
  const evictOldest = () => {
    const oldest = entries.keys().next();
    if (oldest.done) return;
    entries.delete(oldest.value);
    bytes -= charge(oldest.value);
  };
  return {
    get(text) {
      const value = entries.get(text);
      if (value === undefined) return undefined;
      entries.delete(text);
      entries.set(text, value);
      return value;
    },
    set(text, value) {
      if (text.length > limits.maxDocumentChars || charge(text) > limits.maxBytes) return;
      if (entries.has(text)) {
        entries.delete(text);
        bytes -= charge(text);
      }
      while (entries.size > 0 && (entries.size >= limits.maxEntries || bytes + charge(text) > limits.maxBytes)) evictOldest();
      entries.set(text, value);
      bytes += charge(text);
    },
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.size;
    },
    limits,
  };
}
