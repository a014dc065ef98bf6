/**
 * aws-amplify v6 clients configured from the running stack's
 * amplify_outputs.json, sending the generated typed documents
 * (client-example/graphql/) the CLI and the gallery send. Hand-written
 * documents stay only in tests of malformed or hostile requests.
 */
import { readFileSync } from 'node:fs';
import type { TokenProvider } from 'aws-amplify/auth';
import { inject } from 'vitest';
import { ImageWithUrlsDocument, type ImageWithUrls, type TypedDocumentString } from '../../client-example/graphql/index.ts';
import { configureAmplify } from '../../client-example/lib/configure.ts';
import { GraphqlClient } from '../../client-example/lib/graphql-client.ts';
import { LabelcastClient } from '../../client-example/lib/labelcast-client.ts';
import type { AmplifyOutputs } from '../../local/amplify-outputs.ts';

export const amplifyOutputs = (): AmplifyOutputs => JSON.parse(readFileSync(inject('outputsPath'), 'utf8'));

/**
 * Points Amplify at the project's e2e stack, with a token provider if given. At each client made (labelcastClient,
 * graphqlClient): the e2e files share a worker's module graph (vitest.config.ts), and a file before may have
 * pointed Amplify at a stack of its own (burst, recovery …). And in the first beforeAll of each part of
 * tests/e2e/serial.test.ts, with the part's own token provider if it has one, because all parts are collected
 * (their clients made, their module code run) before the first one runs.
 */
export function configureStackAmplify(options: { tokenProvider?: TokenProvider } = {}): void {
  configureAmplify(inject('outputsPath'), options.tokenProvider ? { Auth: { tokenProvider: options.tokenProvider } } : undefined);
}

export function labelcastClient(): LabelcastClient {
  configureStackAmplify();
  return new LabelcastClient();
}

/** The typed client under LabelcastClient, for the documents only the gallery sends (the *WithUrls queries). */
export function graphqlClient(): GraphqlClient {
  configureStackAmplify();
  return new GraphqlClient();
}

/** An image with its presigned read URLs, as the gallery reads it with the API key; throws when there is none. */
export async function imageWithUrls(id: string): Promise<ImageWithUrls> {
  const { image } = await graphqlClient().request(ImageWithUrlsDocument, { id });
  if (!image) throw new Error(`no image ${id}`);
  return image;
}

/** The bytes of tests/fixtures/`name` (fixtures.ts, which files that need no client import directly). */
export { fixture } from './fixtures.ts';

export interface GraphqlHttpAnswer<Data> {
  readonly status: number;
  readonly body: { data?: Data; errors?: { errorType?: string; message: string }[] };
}

/** A raw GraphQL POST, for checking AppSync's HTTP-level answers; a hand-written body only where it must be malformed or hostile. */
export async function postGraphql<Data = unknown>(body: unknown, headers: Record<string, string> = {}): Promise<GraphqlHttpAnswer<Data>> {
  const { data } = amplifyOutputs();
  const response = await fetch(data.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphqlHttpAnswer<Data>['body'] };
}

/** A generated operation as a raw GraphQL POST with the given headers (API key or token), for the HTTP status and errors AppSync answers. */
export function postOperation<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  headers: Record<string, string> = {},
): Promise<GraphqlHttpAnswer<Result>> {
  return postGraphql<Result>({ query: document.toString(), variables }, headers);
}

/** The GraphQL errors of a client call that must fail, as the client sees them (Amplify rejects with `{ errors }`); throws when it succeeds or fails otherwise. */
export async function graphqlErrors(run: () => Promise<unknown>): Promise<{ errorType?: string; message: string }[]> {
  try {
    await run();
  } catch (error) {
    const errors = (error as { errors?: { errorType?: string; message: string }[] }).errors;
    if (errors?.length) return errors;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

/** The errorType of the first GraphQL error a client call rejects with; undefined when it succeeds. */
export async function errorTypeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return (error as { errors?: { errorType?: string }[] }).errors?.[0]?.errorType;
  }
}
