/**
 * aws-amplify v6's `client.graphql` for the generated documents
 * (client-example/graphql/): a TypedDocumentString goes in as the query
 * string it is, and its variable and result types come out. The CLI's
 * library and the web gallery both call labelcast through it.
 */
import { generateClient } from 'aws-amplify/api';
import type { TypedDocumentString } from '../graphql/generated/graphql.ts';

/**
 * The part of Amplify's client used here. Amplify types results from its own
 * codegen's `GeneratedQuery` strings, which it does not export; the
 * generated documents carry their types instead.
 */
interface AmplifyGraphqlClient {
  graphql(options: { readonly query: string; readonly variables?: object }): unknown;
}
interface AmplifyObservable<T> {
  subscribe(observer: { next(value: { data: T }): void; error(error: unknown): void }): Subscription;
}

export interface Subscription {
  unsubscribe(): void;
}

export interface GraphqlClientOptions {
  /**
   * How calls are authorized: 'userPool' sends the signed-in user's token
   * (Amplify's Auth, or a custom tokenProvider).
   * @default - the API's default mode, the API key
   */
  readonly authMode?: 'apiKey' | 'userPool';
}

export class GraphqlClient {
  private readonly client: AmplifyGraphqlClient;

  public constructor(options: GraphqlClientOptions = {}) {
    this.client = generateClient(options.authMode ? { authMode: options.authMode } : {}) as unknown as AmplifyGraphqlClient;
  }

  /** Runs a query or mutation; rejects with Amplify's `{ errors }` when AppSync answers errors. */
  public async request<Result, Variables>(document: TypedDocumentString<Result, Variables>, variables: Variables): Promise<Result> {
    const result = (await this.client.graphql({ query: document.toString(), variables: variables as object })) as { data: Result };
    return result.data;
  }

  /** Starts a subscription; Amplify reports its ack on the 'api' Hub channel. */
  public subscribe<Result, Variables>(
    document: TypedDocumentString<Result, Variables>,
    variables: Variables,
    observer: { next(data: Result): void; error(error: unknown): void },
  ): Subscription {
    const observable = this.client.graphql({ query: document.toString(), variables: variables as object }) as AmplifyObservable<Result>;
    return observable.subscribe({ next: ({ data }) => observer.next(data), error: (error) => observer.error(error) });
  }
}

/**
 * What to tell a user for an HTTP error AppSync answers before any GraphQL runs. Amplify names the error it wraps by
 * the answer's `x-amzn-ErrorType` and, when the body has no top-level message (AppSync's `{ errors: [...] }`), says
 * only "Unknown error".
 */
const requestErrorHints: Readonly<Record<string, string>> = {
  WAFForbiddenException: "too many requests from this address: the API's rate limit (AWS WAF) refused this one; wait a few minutes and try again",
};

/** One GraphQL error as a line: AppSync's `errorType: message`, or the HTTP error Amplify wrapped in it. */
function errorLine(error: { errorType?: string; message: string; originalError?: unknown }): string {
  if (error.errorType) return `${error.errorType}: ${error.message}`;
  const wrapped = (error.originalError as { name?: unknown } | undefined)?.name;
  const hint = typeof wrapped === 'string' ? requestErrorHints[wrapped] : undefined;
  return hint ? `${wrapped as string}: ${hint}` : error.message;
}

/** AppSync's errors as readable `errorType: message` lines (Amplify rejects with `{ errors }`). */
export function graphqlErrorLines(error: unknown): string[] {
  const errors = (error as { errors?: { errorType?: string; message: string; originalError?: unknown }[] } | null)?.errors;
  if (errors?.length) return errors.map(errorLine);
  return [error instanceof Error ? error.message : String(error)];
}
