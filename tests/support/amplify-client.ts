/** An aws-amplify v6 client configured from the running stack's amplify_outputs.json. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inject } from 'vitest';
import { configureAmplify } from '../../client-example/lib/configure.ts';
import { LabelcastClient } from '../../client-example/lib/labelcast-client.ts';
import type { AmplifyOutputs } from '../../local/amplify-outputs.ts';
import { repoRoot } from '../../api/bundle.ts';

export const amplifyOutputs = (): AmplifyOutputs => JSON.parse(readFileSync(inject('outputsPath'), 'utf8'));

let configured = false;
export function labelcastClient(): LabelcastClient {
  if (!configured) {
    configureAmplify(inject('outputsPath'));
    configured = true;
  }
  return new LabelcastClient();
}

export const fixture = (name: string): Promise<Buffer> => readFile(path.join(repoRoot, 'tests/fixtures', name));

/** A raw GraphQL POST, for checking AppSync's HTTP-level answers. */
export async function postGraphql(body: unknown, headers: Record<string, string> = {}) {
  const { data } = amplifyOutputs();
  const response = await fetch(data.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { errorType?: string; message: string }[] } };
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
