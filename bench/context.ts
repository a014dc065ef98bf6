/** What every measure needs: clients of the running offline stack, configured as a user would. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DetectLabelsCommand, DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import type { TypedDocumentString } from '../client-example/graphql/index.ts';
import { configureAmplify } from '../client-example/lib/configure.ts';
import { LabelcastClient } from '../client-example/lib/labelcast-client.ts';
import type { AmplifyOutputs } from '../local/amplify-outputs.ts';
import { stackCredentials } from '../local/child-process-stack.ts';
import { detectionSettings } from '../functions/labeler/detect.ts';
import { adminFetch } from '../local/iam/admin-fetch.ts';
import { signingName as rekognitionSigningName } from '../local/rekognition/protocol.ts';
import { statsPath, type RekognitionStats } from '../local/rekognition/stats.ts';
import type { DynamoDbUsage } from '../local/dynamodb/metering.ts';
import { usagePath } from '../local/dynamodb/test-hooks.ts';
import type { StackUsage } from '../local/stack-usage.ts';

/** The local DynamoDB's meter and the stack's other billed usage (its admin-signed usage hook). */
export type MeteredUsage = DynamoDbUsage & { readonly stack: StackUsage };

export interface BenchContext {
  readonly client: LabelcastClient;
  readonly outputs: AmplifyOutputs;
  readonly stackPid: number;
  readonly tableName: string;
  readonly documentClient: DynamoDBDocumentClient;
  /** The engine alone: both Rekognition calls the labeler makes, on the bytes. */
  detect(bytes: Uint8Array): Promise<void>;
  /** One GraphQL request over HTTPS with the API key and no client library: the server's own cost. */
  rawGraphql<Variables>(document: TypedDocumentString<unknown, Variables>, variables: Variables): Promise<unknown>;
  /** The local Rekognition's counters: calls per operation, engineBusyMs, engineLoadMs. */
  engineStats(): Promise<RekognitionStats>;
  /** What the stack did since its start or the last resetUsage (DynamoDB units per table and index, S3, AppSync, Lambda). */
  usage(): Promise<MeteredUsage>;
  resetUsage(): Promise<void>;
}

export function benchContext(env: NodeJS.ProcessEnv): BenchContext {
  const outputsPath = required(env, 'BENCH_OUTPUTS');
  const stateDir = required(env, 'BENCH_STATE_DIR');
  const credentials = stackCredentials(stateDir);
  configureAmplify(outputsPath);
  const outputs = JSON.parse(readFileSync(outputsPath, 'utf8')) as AmplifyOutputs;
  const region = outputs.data.aws_region;
  // The publisher in functions/ reads credentials the way Lambda provides them.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: region });
  // The stack's key pair is long-term: a session token left in the shell would make the local services refuse it (InvalidToken).
  delete process.env.AWS_SESSION_TOKEN;
  const rekognitionEndpoint = required(env, 'BENCH_REKOGNITION_ENDPOINT');
  const rekognition = new RekognitionClient({ region, credentials, endpoint: rekognitionEndpoint });
  const dynamoDbEndpoint = required(env, 'BENCH_DYNAMODB_ENDPOINT');
  const usageHook = async (method: 'GET' | 'DELETE') => {
    const response = await adminFetch(new URL(usagePath, dynamoDbEndpoint), { method }, { credentials, region, service: 'dynamodb' });
    if (!response.ok) throw new Error(`DynamoDB usage answered HTTP ${response.status}: ${await response.text()}`);
    return (await response.json()) as MeteredUsage;
  };
  return {
    client: new LabelcastClient(),
    outputs,
    stackPid: Number(required(env, 'BENCH_STACK_PID')),
    tableName: required(env, 'BENCH_TABLE'),
    documentClient: DynamoDBDocumentClient.from(
      new DynamoDBClient({ region, credentials, endpoint: dynamoDbEndpoint }),
      { marshallOptions: { removeUndefinedValues: true } },
    ),
    async rawGraphql(document, variables) {
      const response = await fetch(outputs.data.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': outputs.data.api_key },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (!response.ok || body.errors) throw new Error(`GraphQL request failed: ${JSON.stringify(body)}`);
      return body;
    },
    async engineStats() {
      // A test hook: only the stack's admin key pair may read it.
      const response = await adminFetch(new URL(statsPath, rekognitionEndpoint), { method: 'GET' }, { credentials, region, service: rekognitionSigningName });
      if (!response.ok) throw new Error(`Rekognition stats answered HTTP ${response.status}: ${await response.text()}`);
      return (await response.json()) as RekognitionStats;
    },
    usage: () => usageHook('GET'),
    async resetUsage() {
      await usageHook('DELETE');
    },
    async detect(bytes) {
      const image = { Bytes: bytes };
      await Promise.all([
        rekognition.send(new DetectLabelsCommand({ Image: image, MaxLabels: detectionSettings.maxLabels, MinConfidence: detectionSettings.minLabelConfidence })),
        rekognition.send(new DetectModerationLabelsCommand({ Image: image, MinConfidence: detectionSettings.minModerationConfidence })),
      ]);
    },
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set; run the bench with npm run bench`);
  return value;
}
