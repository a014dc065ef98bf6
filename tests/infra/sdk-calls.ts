/**
 * Records every AWS SDK command a function sends (SDK middleware on its
 * clients), and says which IAM permissions each one needs, as the service
 * authorizes it: the action, the resource ARN, and condition keys.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { testAccount, type AccessRequest } from './iam-policy.ts';

export interface SentCommand {
  /** The client's service, e.g. 's3', 'dynamodb', 'rekognition'. */
  readonly service: string;
  /** The command's name as the client sends it, e.g. 'HeadObjectCommand', 'GetItemCommand' (the document client's GetCommand included). */
  readonly command: string;
  readonly input: Record<string, unknown>;
  /** The error's name when the service refused it, e.g. 'NotFound'. */
  readonly error?: string;
}

interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Adds the recording middleware to a client; returns the client. */
export function recording<T>(client: T, service: string, sink: SentCommand[]): T {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      const sent = { service, command: context.commandName ?? 'unknown', input: { ...(args.input as Record<string, unknown>) } };
      try {
        const result = await next(args);
        sink.push(sent);
        return result;
      } catch (error) {
        sink.push({ ...sent, error: (error as { name?: string }).name ?? 'Error' });
        throw error;
      }
    },
    { step: 'initialize', name: 'recordSentCommands' },
  );
  return client;
}

const { partition, region, accountId } = testAccount;
const tableArn = (table: unknown) => `arn:${partition}:dynamodb:${region}:${accountId}:table/${String(table)}`;
const objectArn = (bucket: unknown, key: unknown) => `arn:${partition}:s3:::${String(bucket)}/${String(key)}`;
const bucketArn = (bucket: unknown) => `arn:${partition}:s3:::${String(bucket)}`;

/** Document client commands are the DynamoDB operations they marshal for. */
const dynamoDbOperation: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchWriteCommand: 'BatchWriteItem',
  BatchGetCommand: 'BatchGetItem',
  TransactWriteCommand: 'TransactWriteItems',
  TransactGetCommand: 'TransactGetItems',
};

const operationOf = (command: string) => dynamoDbOperation[command] ?? command.replace(/Command$/, '');

/** IAM authorizes each item of a transaction as its single-item action, on its table. */
const transactItemActions: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

function dynamoDbRequests(sent: SentCommand): AccessRequest[] {
  const operation = operationOf(sent.command);
  const action = `dynamodb:${operation}`;
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = (sent.input.TransactItems as Record<string, { TableName?: unknown }>[] | undefined) ?? [];
    return items.flatMap((item) => Object.entries(item).map(([kind, part]) => ({ action: transactItemActions[kind] ?? action, resource: tableArn(part.TableName) })));
  }
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    return Object.keys((sent.input.RequestItems as Record<string, unknown> | undefined) ?? {}).map((table) => ({ action, resource: tableArn(table) }));
  }
  const table = tableArn(sent.input.TableName);
  return [{ action, resource: sent.input.IndexName ? `${table}/index/${String(sent.input.IndexName)}` : table }];
}

/**
 * S3 authorizes HeadObject as s3:GetObject, CopyObject as s3:GetObject on the
 * source and s3:PutObject on the target. It answers a missing key with 404
 * (NotFound, NoSuchKey) only to a caller allowed s3:ListBucket with s3:prefix
 * set to that key; to anyone else with 403.
 */
function s3Requests(sent: SentCommand): AccessRequest[] {
  const { Bucket, Key } = sent.input;
  const missingKey = sent.error === 'NotFound' || sent.error === 'NoSuchKey';
  const listing = missingKey ? [{ action: 's3:ListBucket', resource: bucketArn(Bucket), context: { 's3:prefix': String(Key) } }] : [];
  switch (operationOf(sent.command)) {
    case 'HeadObject':
    case 'GetObject':
      return [{ action: 's3:GetObject', resource: objectArn(Bucket, Key) }, ...listing];
    case 'PutObject':
      return [{ action: 's3:PutObject', resource: objectArn(Bucket, Key) }];
    case 'DeleteObject':
      return [{ action: 's3:DeleteObject', resource: objectArn(Bucket, Key) }];
    case 'CopyObject': {
      const source = decodeURIComponent(String(sent.input.CopySource));
      const slash = source.indexOf('/');
      return [
        { action: 's3:GetObject', resource: objectArn(source.slice(0, slash), source.slice(slash + 1)) },
        { action: 's3:PutObject', resource: objectArn(Bucket, Key) },
      ];
    }
    case 'ListObjectsV2':
      return [{ action: 's3:ListBucket', resource: bucketArn(Bucket), context: { 's3:prefix': String(sent.input.Prefix ?? '') } }];
    default:
      throw new Error(`no IAM mapping for S3 ${sent.command}; add it to tests/infra/sdk-calls.ts`);
  }
}

/** Detect* take no Rekognition resource; Rekognition reads an S3Object with the caller's own s3:GetObject. */
function rekognitionRequests(sent: SentCommand): AccessRequest[] {
  const image = sent.input.Image as { S3Object?: { Bucket?: string; Name?: string } } | undefined;
  const read = image?.S3Object ? [{ action: 's3:GetObject', resource: objectArn(image.S3Object.Bucket, image.S3Object.Name) }] : [];
  return [{ action: `rekognition:${operationOf(sent.command)}`, resource: '*' }, ...read];
}

/** The permissions one sent command needs. */
export function requestsFor(sent: SentCommand): AccessRequest[] {
  switch (sent.service) {
    case 'dynamodb':
      return dynamoDbRequests(sent);
    case 's3':
      return s3Requests(sent);
    case 'rekognition':
      return rekognitionRequests(sent);
    default:
      throw new Error(`no IAM mapping for service ${sent.service}`);
  }
}

/** appsync:GraphQL on each root field a GraphQL document calls, for an API id. */
export function graphqlRequests(document: string, apiId: string): AccessRequest[] {
  const operations = parse(document).definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition');
  return operations.flatMap((operation) => {
    const typeName = operation.operation === 'mutation' ? 'Mutation' : operation.operation === 'query' ? 'Query' : 'Subscription';
    return operation.selectionSet.selections.flatMap((selection) =>
      selection.kind === 'Field'
        ? [{ action: 'appsync:GraphQL', resource: `arn:${partition}:appsync:${region}:${accountId}:apis/${apiId}/types/${typeName}/fields/${selection.name.value}` }]
        : [],
    );
  });
}
