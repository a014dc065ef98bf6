/** Sets and reads the local DynamoDB's test hooks (local/dynamodb/test-hooks.ts), signed as the stack's admin. */
import { inject } from 'vitest';
import type { DynamoDbUsage } from '../../local/dynamodb/metering.ts';
import { throttlingPath, usagePath } from '../../local/dynamodb/test-hooks.ts';
import type { ThrottleSpec } from '../../local/dynamodb/throttling.ts';
import { fetchAsAdmin } from './admin-signing.ts';

async function call<T>(path: string, method: 'GET' | 'PUT' | 'DELETE', body?: unknown): Promise<T> {
  const response = await fetchAsAdmin(new URL(path, inject('dynamodbEndpoint')), { method, body: body === undefined ? undefined : JSON.stringify(body) }, 'dynamodb');
  if (!response.ok) throw new Error(`${path} answered HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export interface ThrottlingState {
  readonly throttling: ThrottleSpec | null;
  readonly throttledWrites: number;
}

export const throttleWrites = (spec: ThrottleSpec): Promise<ThrottlingState> => call(throttlingPath, 'PUT', spec);
export const stopThrottling = (): Promise<ThrottlingState> => call(throttlingPath, 'DELETE');
export const throttlingState = (): Promise<ThrottlingState> => call(throttlingPath, 'GET');
export const dynamoDbUsage = (): Promise<DynamoDbUsage & { readonly throttledWrites: number }> => call(usagePath, 'GET');
