/**
 * The `{ query, variables, operationName }` body of a GraphQL request, as
 * both the HTTP endpoint and a realtime `start` message carry it.
 */

export interface GraphQLRequestBody {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly operationName: string | null;
}

/** Reads `{ query, variables, operationName }`; undefined when it is not a GraphQL request. */
export function graphQLRequestBody(value: unknown): GraphQLRequestBody | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { query, variables, operationName } = value as Record<string, unknown>;
  if (typeof query !== 'string' || query.trim() === '') return undefined;
  let vars: unknown = variables ?? {};
  if (typeof vars === 'string') {
    try {
      vars = vars.trim() === '' ? {} : JSON.parse(vars);
    } catch {
      return undefined;
    }
  }
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  return { query, variables: vars as Record<string, unknown>, operationName: operationName ?? null };
}
