/**
 * What each Lambda function may touch, declared once, as data: DynamoDB
 * actions on the table and on each index, S3 actions on key prefixes,
 * listing under a prefix, publishing on IAM mutation fields, Rekognition,
 * the functions it invokes, and the environment variables it reads.
 *
 * - infra/ derives each function's role and environment from it
 *   (infra/function-access.ts), as the AppSync DynamoDB data source's role is
 *   derived from its resolvers' code (./data-source-access.ts).
 * - local/stack.ts derives each local function's environment from it, and
 *   from nothing else, so a handler reading a variable it does not declare
 *   fails offline at cold start as it would on AWS.
 * - `policyStatementsFor` turns it into IAM policy statements for given ARNs,
 *   a pure function: the same statements can be enforced offline, per function.
 *   A function an SQS event source mapping feeds (api/labeling-queue.ts) also
 *   gets the ESM's sqs actions on its queue: Lambda polls with the function's role.
 *
 * tests/infra/function-access.test.ts checks every SDK command the functions
 * send on their real paths against the synthesized roles, so an action used
 * in code but missing here fails `npm test`.
 */
import { AuthMode, fields, lambdaFunctions, type LambdaFunctionName } from './manifest.ts';
import { esmQueueActions, queuesConsumedBy, type QueueName } from './labeling-queue.ts';
import { MediaLayout } from './media.ts';
import { CallbackSettings } from './callback.ts';
import { ImagePropertiesSetting } from './image-properties-setting.ts';
import { ImagesTableLayout } from './table.ts';

export type DynamoDbAction =
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:Query'
  | 'dynamodb:UpdateItem';

export type S3ObjectAction = 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject';

export type RekognitionAction = 'rekognition:DetectLabels' | 'rekognition:DetectModerationLabels';

/** The table's global secondary indexes, by name (api/table.ts). */
export type IndexName = typeof ImagesTableLayout.byOwnerIndex.indexName | typeof ImagesTableLayout.byStatusIndex.indexName;

/**
 * Where an environment variable's value comes from: a deployed resource's
 * name or URL (CDK tokens on AWS, local values offline), or the callback secret.
 */
export const EnvironmentSource = {
  bucketName: 'bucketName',
  tableName: 'tableName',
  graphqlUrl: 'graphqlUrl',
  /**
   * The callback HMAC key. On AWS a CloudFormation dynamic reference to the
   * Secrets Manager secret, resolved at deploy time, so the role needs no
   * secretsmanager action; offline, `.labelcast/secrets.json`.
   */
  callbackSecret: 'callbackSecret',
  /** Whether the labeler requests IMAGE_PROPERTIES, `true` or `false` (api/image-properties-setting.ts). */
  imageProperties: 'imageProperties',
} as const;
export type EnvironmentSource = (typeof EnvironmentSource)[keyof typeof EnvironmentSource];

/** S3 object actions on every key under each prefix. */
export interface ObjectGrant {
  readonly prefixes: readonly string[];
  readonly actions: readonly S3ObjectAction[];
}

export interface FunctionAccess {
  /** Actions on the table itself (its items, a Query of one partition). @default - none */
  readonly table?: readonly DynamoDbAction[];
  /** Actions on each index (only Query reads an index). @default - none */
  readonly indexes?: Readonly<Partial<Record<IndexName, readonly DynamoDbAction[]>>>;
  /** S3 object actions by key prefix. @default - none */
  readonly objects?: readonly ObjectGrant[];
  /**
   * Prefixes the function may list (s3:ListBucket on the bucket, on condition
   * s3:prefix). Also what makes S3 answer 404, not 403, to a HeadObject or
   * GetObject of a missing key under them: S3 decides with s3:prefix set to the key.
   * @default - none
   */
  readonly list?: readonly string[];
  /** IAM-authorized Mutation fields the function calls (appsync:GraphQL on each field). @default - none */
  readonly publish?: readonly string[];
  /** Rekognition Detect* actions; they take an S3 object, so they have no resource-level permissions. @default - none */
  readonly rekognition?: readonly RekognitionAction[];
  /** Functions it invokes with its own role (an async on-failure destination would be one; none today). @default - none */
  readonly invoke?: readonly LambdaFunctionName[];
  /** Every environment variable the handler reads (besides Lambda's own), and where its value comes from. */
  readonly environment: Readonly<Record<string, EnvironmentSource>>;
}

const uploads = MediaLayout.uploadKeyPrefix;
const keptPrefixes = [MediaLayout.originalKeyPrefix, MediaLayout.thumbnailKeyPrefix];
const publishField = 'publishImageLabeled';

/** What ends an image (labeler, labeling-failed, reconciler): the push and the completion callback. */
const endsImages = {
  publish: [publishField],
  environment: {
    IMAGES_TABLE: EnvironmentSource.tableName,
    APPSYNC_URL: EnvironmentSource.graphqlUrl,
    [CallbackSettings.secretVariable]: EnvironmentSource.callbackSecret,
  },
} as const satisfies Pick<FunctionAccess, 'publish' | 'environment'>;

/**
 * Table actions of finishing an ended image (functions/shared/ended-image.ts):
 * GetItem (re-read), UpdateItem (push lease, pushedAt, catalog claims and
 * counts) and BatchWriteItem (label entries, written, or removed again for
 * an image deleted meanwhile: their keys follow from its labels, no Query).
 */
const finishesEndedImages: readonly DynamoDbAction[] = ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'];

/** Each manifest function's access. */
export const functionAccess = {
  presignUpload: {
    // A presigned URL carries the signer's permissions: PutObject under uploads/ only.
    objects: [{ prefixes: [uploads], actions: ['s3:PutObject'] }],
    environment: { UPLOAD_BUCKET: EnvironmentSource.bucketName },
  },
  presignDownload: {
    // Kept originals and thumbnails, never the uploads landing zone.
    objects: [{ prefixes: keptPrefixes, actions: ['s3:GetObject'] }],
    environment: { UPLOAD_BUCKET: EnvironmentSource.bucketName },
  },
  deleteImage: {
    // DeleteItem (the image, conditionally; a counter back at zero), GetItem (the image as read before deleting),
    // UpdateItem (ADD -1), BatchWriteItem (its label entries, whose keys follow from its labels: no Query).
    // The image's delete and its ADD -1s are one TransactWriteItems, which IAM authorizes per item as DeleteItem and UpdateItem.
    table: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
    objects: [{ prefixes: [uploads, ...keptPrefixes], actions: ['s3:DeleteObject'] }],
    environment: { IMAGES_TABLE: EnvironmentSource.tableName, UPLOAD_BUCKET: EnvironmentSource.bucketName },
  },
  labeler: {
    // PutItem: a content result, stored for identical uploads.
    table: [...finishesEndedImages, 'dynamodb:PutItem'],
    objects: [
      // The upload (its bytes, and the source of the CopyObject that keeps the original);
      // DeleteObject: an upload for a deleted image (its URL still valid) is removed (label-image.ts).
      { prefixes: [uploads], actions: ['s3:GetObject', 's3:DeleteObject'] },
      // Kept original and thumbnail; DeleteObject: an image deleted while being labelled loses what was just written.
      { prefixes: keptPrefixes, actions: ['s3:PutObject', 's3:DeleteObject'] },
    ],
    rekognition: ['rekognition:DetectLabels', 'rekognition:DetectModerationLabels'],
    // It ends an image FAILED itself once an error outlasts LabelingQueueSettings.errorAttempts receives.
    publish: endsImages.publish,
    // No UPLOAD_BUCKET: the bucket comes with each S3 event. No queue URL: the ESM polls for it.
    environment: { ...endsImages.environment, [ImagePropertiesSetting.functionVariable]: EnvironmentSource.imageProperties },
  },
  labelingFailed: {
    table: finishesEndedImages,
    publish: endsImages.publish,
    environment: endsImages.environment,
  },
  reconciler: {
    table: finishesEndedImages,
    // The images not finished yet (PENDING, or ended and not yet pushed or counted), oldest first.
    indexes: { [ImagesTableLayout.byStatusIndex.indexName]: ['dynamodb:Query'] },
    // HeadObject needs GetObject; the in-place copy (the re-drive) reads and writes the same key.
    objects: [{ prefixes: [uploads], actions: ['s3:GetObject', 's3:PutObject'] }],
    // So a never-uploaded ticket's HeadObject answers 404, not 403.
    list: [uploads],
    publish: endsImages.publish,
    environment: { ...endsImages.environment, UPLOAD_BUCKET: EnvironmentSource.bucketName },
  },
} as const satisfies Record<LambdaFunctionName, FunctionAccess>;

/** The declared access of one function, with every optional list present. */
export function accessOf(name: LambdaFunctionName): Required<FunctionAccess> {
  const access: FunctionAccess = functionAccess[name];
  if (!access) throw new Error(`api/access.ts declares no access for function ${String(name)}`);
  return {
    table: access.table ?? [],
    indexes: access.indexes ?? {},
    objects: access.objects ?? [],
    list: access.list ?? [],
    publish: access.publish ?? [],
    rekognition: access.rekognition ?? [],
    invoke: access.invoke ?? [],
    environment: access.environment,
  };
}

/** A function's environment from the values of its sources; throws naming the source a caller did not provide. */
export function environmentFor(name: LambdaFunctionName, values: Readonly<Partial<Record<EnvironmentSource, string>>>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [variable, source] of Object.entries(accessOf(name).environment)) {
    const value = values[source];
    if (value === undefined) throw new Error(`function ${name} reads ${variable}, but no ${source} was provided`);
    environment[variable] = value;
  }
  return environment;
}

/** Whether a function's declared environment needs this source. */
export const needsSource = (name: LambdaFunctionName, source: EnvironmentSource): boolean =>
  Object.values(accessOf(name).environment).includes(source);

/** ARNs (or CDK tokens standing for them) the statements name. */
export interface AccessArns {
  /** `arn:aws:s3:::<bucket>`; needed by functions with object or list access. */
  readonly bucket?: string;
  /** `arn:aws:dynamodb:<region>:<account>:table/<table>`; needed by functions with table or index access. */
  readonly table?: string;
  /** `arn:aws:appsync:<region>:<account>:apis/<apiId>`; needed only by functions that publish. */
  readonly graphqlApi?: string;
  /** Function ARNs, for the functions it invokes. */
  readonly functions?: Readonly<Partial<Record<LambdaFunctionName, string>>>;
  /** Queue ARNs, for the queues an event source mapping feeds it from (api/labeling-queue.ts). */
  readonly queues?: Readonly<Partial<Record<QueueName, string>>>;
}

/** An IAM policy statement as JSON, sorted actions, resources in declaration order. */
export interface PolicyStatementJson {
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const sorted = (actions: readonly string[]) => [...new Set(actions)].sort();

function arnOf(name: LambdaFunctionName, arn: string | undefined, what: string): string {
  if (arn === undefined) throw new Error(`function ${name} has access to the ${what}, but no ${what} ARN was given`);
  return arn;
}

/** The IAM field a function publishes on must be an IAM-authorized Mutation of api/manifest.ts. */
function publishResource(name: LambdaFunctionName, api: string | undefined, fieldName: string): string {
  const field = fields.find((candidate) => candidate.typeName === 'Mutation' && candidate.fieldName === fieldName);
  if (!field || !field.auth.includes(AuthMode.IAM)) {
    throw new Error(`function ${name} publishes on Mutation.${fieldName}, which is not an IAM-authorized field of api/manifest.ts`);
  }
  if (api === undefined) throw new Error(`function ${name} publishes on Mutation.${fieldName}, but no GraphQL API ARN was given`);
  return `${api}/types/Mutation/fields/${fieldName}`;
}

/**
 * The IAM statements a function's role needs, for the given ARNs: one per
 * grant, so each can be traced back to its line above.
 */
export function policyStatementsFor(name: LambdaFunctionName, arns: AccessArns): PolicyStatementJson[] {
  const access = accessOf(name);
  const statements: PolicyStatementJson[] = [];
  const bucket = () => arnOf(name, arns.bucket, 'bucket');
  const table = () => arnOf(name, arns.table, 'table');
  if (access.rekognition.length > 0) statements.push({ Effect: 'Allow', Action: sorted(access.rekognition), Resource: ['*'] });
  for (const grant of access.objects) {
    statements.push({ Effect: 'Allow', Action: sorted(grant.actions), Resource: grant.prefixes.map((prefix) => `${bucket()}/${prefix}*`) });
  }
  if (access.list.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [bucket()],
      Condition: { StringLike: { 's3:prefix': access.list.map((prefix) => `${prefix}*`) } },
    });
  }
  if (access.table.length > 0) statements.push({ Effect: 'Allow', Action: sorted(access.table), Resource: [table()] });
  for (const [indexName, actions] of Object.entries(access.indexes)) {
    if (actions && actions.length > 0) statements.push({ Effect: 'Allow', Action: sorted(actions), Resource: [`${table()}/index/${indexName}`] });
  }
  if (access.publish.length > 0) {
    statements.push({ Effect: 'Allow', Action: ['appsync:GraphQL'], Resource: access.publish.map((field) => publishResource(name, arns.graphqlApi, field)) });
  }
  for (const target of access.invoke) {
    if (!(target in lambdaFunctions)) throw new Error(`function ${name} invokes ${target}, which api/manifest.ts does not declare`);
    const arn = arns.functions?.[target];
    if (arn === undefined) throw new Error(`function ${name} invokes ${target}, but no ARN was given for it`);
    // As Lambda's grantInvoke: the function and any of its versions or aliases.
    statements.push({ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [arn, `${arn}:*`] });
  }
  for (const queue of queuesConsumedBy(name)) {
    const arn = arns.queues?.[queue];
    if (arn === undefined) throw new Error(`function ${name} consumes ${queue}, but no queue ARN was given for it`);
    statements.push({ Effect: 'Allow', Action: [...esmQueueActions], Resource: [arn] });
  }
  return statements;
}
