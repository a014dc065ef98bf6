/**
 * A minimal DynamoDB client for the data source: DynamoDB's JSON 1.0
 * protocol as it is on the wire (`X-Amz-Target: DynamoDB_20120810.<Operation>`,
 * SigV4-signed JSON body, `{ __type, message }` errors), sent through a
 * transport: over HTTP to the endpoint, or straight to the local DynamoDB's
 * handler when it runs in this process (local/dynamodb/in-process.ts).
 * Requests and results are the API's own JSON, so AppSync's request objects
 * map onto them without the AWS SDK's model (de)serialization in between, and
 * each is signed as the SDK signs it (dynamodb-signer.ts).
 */
import type { DynamoDbHttpResponse, DynamoDbTransport } from '../../dynamodb/in-process.ts';
import { DynamoDbServiceError } from '../errors.ts';
import { dynamoDbSigner } from './dynamodb-signer.ts';

/** An attribute value as DynamoDB's JSON carries it: numbers as strings, binaries in base64. */
export interface AttributeValue {
  readonly S?: string;
  readonly N?: string;
  readonly B?: string;
  readonly BOOL?: boolean;
  readonly NULL?: boolean;
  readonly SS?: readonly string[];
  readonly NS?: readonly string[];
  readonly BS?: readonly string[];
  readonly L?: readonly AttributeValue[];
  readonly M?: Readonly<Record<string, AttributeValue>>;
}

export type Item = Record<string, AttributeValue>;

export interface DynamoDbJsonClientOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** How requests reach DynamoDB. @default HTTP to `endpoint` */
  readonly transport?: DynamoDbTransport;
}

export interface DynamoDbJsonClient {
  /** Runs one operation with its JSON input; resolves with its JSON output, or throws DynamoDbServiceError. */
  call<Output>(operation: string, input: object): Promise<Output>;
}

const targetPrefix = 'DynamoDB_20120810';

const overHttp =
  (endpoint: URL): DynamoDbTransport =>
  async (request) => {
    const response = await fetch(new URL(request.path, endpoint), { method: request.method, headers: request.headers, body: request.body });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return { statusCode: response.status, headers, body: await response.text() };
  };

function serviceError(response: DynamoDbHttpResponse): DynamoDbServiceError {
  let parsed: { __type?: unknown; message?: unknown; Message?: unknown; CancellationReasons?: unknown } = {};
  try {
    parsed = JSON.parse(response.body) as typeof parsed;
  } catch {
    // Not JSON (e.g. dynalite's `<UnknownOperationException/>`): reported by status alone.
  }
  const type = typeof parsed.__type === 'string' ? parsed.__type : 'UnknownError';
  const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : `HTTP ${response.statusCode}`;
  const reasons = Array.isArray(parsed.CancellationReasons) ? (parsed.CancellationReasons as { Code?: string; Message?: string }[]) : undefined;
  return new DynamoDbServiceError(type.slice(type.lastIndexOf('#') + 1), message, response.statusCode, response.headers['x-amzn-requestid'], reasons);
}

export function dynamoDbJsonClient(options: DynamoDbJsonClientOptions): DynamoDbJsonClient {
  const endpoint = new URL(options.endpoint);
  const transport = options.transport ?? overHttp(endpoint);
  const signer = dynamoDbSigner({ region: options.region, credentials: options.credentials });
  return {
    async call<Output>(operation: string, input: object): Promise<Output> {
      const body = JSON.stringify(input);
      const headers = signer.sign({ host: endpoint.host, target: `${targetPrefix}.${operation}`, body });
      const response = await transport({ method: 'POST', path: '/', headers, body });
      if (response.statusCode !== 200) throw serviceError(response);
      return JSON.parse(response.body) as Output;
    },
  };
}
