/**
 * What live subscriptions may keep of their parsed documents, in bytes: a
 * bound of the offline stack's own (AppSync documents none; its only
 * realtime quota on this is 100 subscriptions a connection).
 *
 * Why: a subscription keeps its parsed document (graphql-js AST, locations
 * and tokens) for as long as it lives, to run its selection set over every
 * published payload. A 39,000-character document of aliases, within the
 * 15,000-token parser limit, parses to about 3.3 MiB of heap; documents over
 * 32 Ki characters are not cached (document-cache.ts), so each start keeps its
 * own copy, and 100 of them on one socket held some 350 MiB until it closed.
 * The document cache's own byte budget does not bound this: it can evict a
 * document that a subscription still holds.
 *
 * So each document a subscription keeps is charged the document cache's
 * estimate of its heap (its characters times estimatedBytesPerChar, which
 * errs high), once however many subscriptions share it (a cached document is
 * one object for every start that sends the same text), against a budget per
 * connection and one for all connections together. A start whose document
 * would take either past its budget is refused with an error that names the
 * limit; the charge ends when the last subscription holding the document ends.
 * A document too long for the document cache is refused before it is parsed,
 * as no other subscription can share its parse.
 */
import type { DocumentNode } from 'graphql';
import { estimatedBytesPerChar } from '../server/document-cache.ts';
import type { KeepDocument } from '../server/subscribe.ts';

export interface SubscriptionDocumentLimits {
  /** Most estimated heap bytes of the distinct documents one connection's subscriptions keep. */
  readonly perConnectionBytes: number;
  /** Most estimated heap bytes of the distinct documents all live subscriptions keep, all connections together. */
  readonly totalBytes: number;
}

/**
 * Generous for any real client: 64 MiB is some 335,000 characters of distinct
 * documents on one socket (100 subscriptions of 3,300 characters each, all
 * different); everyday subscription documents are a few hundred characters,
 * and clients of one app send the same few, which are counted once.
 */
export const defaultSubscriptionDocumentLimits: SubscriptionDocumentLimits = {
  perConnectionBytes: 64 * 1024 * 1024,
  totalBytes: 256 * 1024 * 1024,
};

/** errorType of a start refused by either budget. */
export const documentLimitErrorType = 'SubscriptionDocumentLimitExceeded';

/** What subscribeOperation asks of a document (a hold to release when the subscription ends, idempotent; or a refusal). */
export type DocumentKeep = ReturnType<KeepDocument>;

/** One connection's share of the budget. */
export interface ConnectionDocuments {
  /** Charges `document` (parsed from `text`) to this connection unless a budget refuses it. */
  keep(document: DocumentNode, text: string): DocumentKeep;
  /**
   * The refusal `keep` would give a document of `text` that no subscription holds yet, if any: for a text too
   * long to be cached, whose every parse is a copy of its own, this is known before parsing it.
   */
  refusalOfNew(text: string): Extract<DocumentKeep, { ok: false }> | undefined;
  /** Estimated bytes of the distinct documents this connection's subscriptions keep. */
  readonly bytes: number;
}

export interface SubscriptionDocumentBudget {
  /** A fresh ledger for one connection, charged against the shared total too. */
  connection(): ConnectionDocuments;
  /** Estimated bytes of the distinct documents all live subscriptions keep. */
  readonly bytes: number;
  readonly limits: SubscriptionDocumentLimits;
}

/** A document counted once, however many subscriptions (of one connection, or of all) hold it. */
interface Counted {
  readonly bytes: number;
  holders: number;
}

export function subscriptionDocumentBudget(limits: SubscriptionDocumentLimits = defaultSubscriptionDocumentLimits): SubscriptionDocumentBudget {
  const everyone = new Map<DocumentNode, Counted>();
  let totalBytes = 0;

  const refusal = (message: string) => ({ ok: false, error: { errorType: documentLimitErrorType, message } }) as const;
  const costOf = (text: string) => text.length * estimatedBytesPerChar;

  return {
    limits,
    get bytes() {
      return totalBytes;
    },
    connection() {
      const mine = new Map<DocumentNode, Counted>();
      let connectionBytes = 0;
      // What a document of `bytes` would be refused with, given whether this connection and the stack already hold it.
      const refusalOf = (bytes: number, heldHere: boolean, heldAnywhere: boolean) => {
        if (!heldHere && connectionBytes + bytes > limits.perConnectionBytes) {
          return refusal(
            `The subscription's document (about ${bytes} bytes parsed) would take this connection's subscription documents past the local stack's limit of ${limits.perConnectionBytes} bytes per connection; stop a subscription or send a smaller document.`,
          );
        }
        if (!heldAnywhere && totalBytes + bytes > limits.totalBytes) {
          return refusal(
            `The subscription's document (about ${bytes} bytes parsed) would take the subscription documents of all connections past the local stack's limit of ${limits.totalBytes} bytes; try again once other subscriptions end.`,
          );
        }
        return undefined;
      };
      return {
        refusalOfNew: (text) => refusalOf(costOf(text), false, false),
        get bytes() {
          return connectionBytes;
        },
        keep(document, text) {
          const mineBefore = mine.get(document);
          const everyoneBefore = everyone.get(document);
          const bytes = mineBefore?.bytes ?? everyoneBefore?.bytes ?? costOf(text);
          const refused = refusalOf(bytes, mineBefore !== undefined, everyoneBefore !== undefined);
          if (refused) return refused;
          const here = mineBefore ?? { bytes, holders: 0 };
          const all = everyoneBefore ?? { bytes, holders: 0 };
          if (!mineBefore) {
            mine.set(document, here);
            connectionBytes += bytes;
          }
          if (!everyoneBefore) {
            everyone.set(document, all);
            totalBytes += bytes;
          }
          here.holders += 1;
          all.holders += 1;
          let released = false;
          const release = () => {
            if (released) return;
            released = true;
            here.holders -= 1;
            all.holders -= 1;
            if (here.holders === 0) {
              mine.delete(document);
              connectionBytes -= bytes;
            }
            if (all.holders === 0) {
              everyone.delete(document);
              totalBytes -= bytes;
            }
          };
          return { ok: true, release };
        },
      };
    },
  };
}
