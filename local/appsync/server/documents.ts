/**
 * Parsed (within graphql-java's parser limits, parser-limits.ts) and
 * validated GraphQL documents, cached per served schema and
 * bounded in bytes (document-cache.ts), so a client repeating a query pays
 * for parsing and validation once.
 */
import {
  GraphQLError,
  getOperationAST,
  Kind,
  SingleFieldSubscriptionsRule,
  specifiedRules,
  validate,
  type DocumentNode,
  type OperationDefinitionNode,
} from 'graphql';
import { syntaxError, validationError, type GraphQLResponseError } from './errors.ts';
import type { FragmentMap } from './collect-fields.ts';
import { documentCache, type DocumentCache } from './document-cache.ts';
import { hidesSuggestions, noIntrospection } from './limits.ts';
import { parseWithinLimits } from './parser-limits.ts';
import { finiteFloatLiterals } from './finite-float-rule.ts';
import { singleFieldSubscriptions } from './subscription-root-rule.ts';
import type { ServedSchema } from './schema.ts';

export type ParsedOperation =
  | { readonly ok: true; readonly document: DocumentNode; readonly operation: OperationDefinitionNode }
  | { readonly ok: false; readonly errors: readonly GraphQLResponseError[] };

const parsedDocuments = new WeakMap<ServedSchema, DocumentCache<ParsedOperation>>();

/** The parsed-document cache of one served schema, created on first use. */
export function parsedDocumentCache(served: ServedSchema): DocumentCache<ParsedOperation> {
  let cache = parsedDocuments.get(served);
  if (!cache) parsedDocuments.set(served, (cache = documentCache()));
  return cache;
}

/** Parses and validates a document and picks its operation; remembers the outcome for the next identical request. */
export function parseOperation(served: ServedSchema, query: string, operationName: string | null): ParsedOperation {
  const cache = parsedDocumentCache(served);
  const key = `${operationName ?? ''}\u0000${query}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const parsed = parseAndValidate(served, query, operationName);
  cache.set(key, parsed);
  return parsed;
}

function parseAndValidate(served: ServedSchema, query: string, operationName: string | null): ParsedOperation {
  let document: DocumentNode;
  try {
    document = parseWithinLimits(query);
  } catch (error) {
    if (error instanceof GraphQLError) return { ok: false, errors: [syntaxError(error)] };
    throw error;
  }
  const rules = [
    ...specifiedRules.map((rule) => (rule === SingleFieldSubscriptionsRule ? singleFieldSubscriptions : rule)),
    finiteFloatLiterals,
    ...(served.limits.introspection ? [] : [noIntrospection]),
  ];
  const invalid = validate(served.schema, document, rules, { hideSuggestions: hidesSuggestions(served.limits) });
  if (invalid.length > 0) return { ok: false, errors: invalid.map(validationError) };
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    const message = operationName ? `Unknown operation named '${operationName}'.` : 'Must provide operation name if query contains multiple operations.';
    return { ok: false, errors: [{ path: null, locations: [], message }] };
  }
  return { ok: true, document, operation };
}

export const fragmentsOf = (document: DocumentNode): FragmentMap =>
  Object.fromEntries(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
  );
