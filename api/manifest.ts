/**
 * The one source of truth for how the API is wired: which resolver code, data
 * source and authorization modes serve each root field, and which Lambda
 * functions exist. Both infra/ (CDK) and local/ (offline stack) read this file.
 */
import { appSyncRequestTimeoutSeconds } from './limits.ts';
import { ImagesTableLayout } from './table.ts';

/** AppSync authorization modes, named as AppSync names them. */
export const AuthMode = {
  API_KEY: 'API_KEY',
  IAM: 'AWS_IAM',
  USER_POOL: 'AMAZON_COGNITO_USER_POOLS',
} as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

/** The API's default mode; every other mode the API uses is an additional one. */
export const defaultAuthMode: AuthMode = AuthMode.API_KEY;

/** Modes available offline: Cognito is a local user pool that mints tokens (local/cognito/). */
export const localAuthModes: readonly AuthMode[] = [AuthMode.API_KEY, AuthMode.IAM, AuthMode.USER_POOL];

/** Modes a client application calls with. */
const clientModes = [AuthMode.API_KEY, AuthMode.USER_POOL] as const;

/**
 * glibc malloc gives each thread that allocates an arena of its own (up to 8 a core) and keeps the memory freed in
 * each. Every function's process has the same threads (libuv's pool, V8's helpers; the labeler's libvips workers
 * besides): two arenas, in each function's environment on AWS and offline (tuningEnvironmentOf).
 */
const fewMallocArenas = { MALLOC_ARENA_MAX: '2' } as const;

/** Lambda functions, by logical name. Paths are relative to the repo root. */
export const lambdaFunctions = {
  presignUpload: {
    entry: 'functions/presign-upload/handler.ts',
    description: 'Presigns the S3 PUT URL for one pending image',
    timeoutSeconds: 10,
    memoryMb: 256,
    tuningEnvironment: fewMallocArenas,
  },
  presignDownload: {
    entry: 'functions/presign-download/handler.ts',
    description: 'Presigns short-lived S3 GET URLs for Image.url and Image.thumbnailUrl, a batch at a time',
    timeoutSeconds: 10,
    memoryMb: 256,
    tuningEnvironment: fewMallocArenas,
  },
  deleteImage: {
    entry: 'functions/delete-image/handler.ts',
    description: 'Deletes one image: its object, thumbnail, search entries and catalog counts',
    /**
     * Below AppSync's 30 s for the whole mutation: at 30 the client could be told ExecutionTimeout while the
     * deletion still ran on (a retry racing it); a timeout first ends the function and the resolver answers its
     * error. 5 s is left for the rest of the request (the resolver's handlers, the Invoke's round trip, a cold start).
     */
    timeoutSeconds: appSyncRequestTimeoutSeconds - 5,
    memoryMb: 256,
    tuningEnvironment: fewMallocArenas,
  },
  labeler: {
    entry: 'functions/labeler/handler.ts',
    description: 'Labels uploaded images with Rekognition, fed by the labelling queue, and publishes the results',
    timeoutSeconds: 60,
    memoryMb: 512,
    /** sharp (thumbnails) ships platform binaries, so it is installed for Lambda's platform, not bundled. */
    nativeModules: ['sharp'],
    /**
     * glibc malloc keeps an arena for each thread that allocates (up to 8 a core) and holds freed memory in
     * each: sharp's libvips workers and Node's thread pool kept 13–14 of them, 20–28 MiB, in each labeler
     * process of `BENCH_ONLY=memory npm run bench`. With two, each process ended 5–17 MiB smaller (two runs).
     */
    tuningEnvironment: fewMallocArenas,
  },
  labelingFailed: {
    entry: 'functions/labeling-failed/handler.ts',
    description: "Fed by the labelling queue's dead-letter queue: marks the events' images FAILED and publishes them",
    /** Room to wait out a push lease (functions/shared/image-push.ts) held by a labeler run that died. */
    timeoutSeconds: 60,
    memoryMb: 256,
    tuningEnvironment: fewMallocArenas,
  },
  reconciler: {
    entry: 'functions/reconciler/handler.ts',
    description: 'Re-drives PENDING images whose object exists, fails tickets whose upload URL expired unused, and finishes ended images left unpushed or unindexed',
    /**
     * Short enough that a run ends before the next period's can start, however late EventBridge and Lambda's
     * async queue start it and however long a cold start's init takes (api/scheduled-runs.ts: 60 + 10 + 60 + 10 +
     * 160 = 300 s): one run at a time counts against the account's concurrency, beside the labeler
     * (api/labeling-queue.ts). Its passes stop in time (functions/reconciler/reconcile.ts) and the next run goes
     * on where it stopped.
     */
    timeoutSeconds: 160,
    memoryMb: 256,
    tuningEnvironment: fewMallocArenas,
    /** Runs on this period (EventBridge on AWS, a timer offline), and once at each offline start that finds the table already made (local/stack.ts). */
    scheduleMinutes: 5,
    /**
     * No retry, and an event Lambda could not start within a minute (throttling) is dropped: the next period's run
     * does the same work, and a late one could overlap it (api/scheduled-runs.ts). The local runtime retries none.
     */
    asyncInvoke: { retryAttempts: 0, maxEventAgeSeconds: 60 },
  },
} as const;
export type LambdaFunctionName = keyof typeof lambdaFunctions;

/**
 * Variables a function's process is tuned with (not read by its code), set in its environment on AWS
 * (infra/manifest-function.ts) and offline (local/stack.ts) alike.
 */
export const tuningEnvironmentOf = (name: LambdaFunctionName): Readonly<Record<string, string>> => lambdaFunctions[name].tuningEnvironment;

/** A function's service name in logs (POWERTOOLS_SERVICE_NAME): its folder, e.g. functions/presign-upload/ → presign-upload. */
export const serviceNameOf = (name: LambdaFunctionName): string => lambdaFunctions[name].entry.split('/').slice(-2)[0];

/** AppSync data sources, by logical name. */
export const dataSources = {
  // Query.images reads byOwner (Query.imagesByLabel Queries label entries in the table itself); no resolver reads byStatus (the reconciler's index).
  imagesTable: { kind: 'DYNAMODB', queryIndexes: [ImagesTableLayout.byOwnerIndex.indexName] },
  presignUploadFunction: { kind: 'LAMBDA', function: 'presignUpload' },
  presignDownloadFunction: { kind: 'LAMBDA', function: 'presignDownload' },
  deleteImageFunction: { kind: 'LAMBDA', function: 'deleteImage' },
  none: { kind: 'NONE' },
} as const satisfies Record<string, DataSourceSpec>;
export type DataSourceName = keyof typeof dataSources;

export type DataSourceSpec =
  | {
      readonly kind: 'DYNAMODB';
      /** Indexes its resolvers may Query, besides the table (api/data-source-access.ts grants Query on each). */
      readonly queryIndexes: readonly string[];
    }
  | { readonly kind: 'LAMBDA'; readonly function: LambdaFunctionName }
  | { readonly kind: 'NONE' };

/** One APPSYNC_JS function of a pipeline resolver. */
export interface PipelineStep {
  /** Function name, unique in the API. */
  readonly name: string;
  /** Code file, relative to the repo root. */
  readonly code: string;
  readonly dataSource: DataSourceName;
}

interface FieldBase {
  /** A root type, or an object type whose field has its own resolver. */
  readonly typeName: 'Query' | 'Mutation' | 'Subscription' | 'Image';
  readonly fieldName: string;
  /** Modes allowed to call this field. */
  readonly auth: readonly AuthMode[];
  /** Resolver code file (request/response), relative to the repo root. */
  readonly code: string;
}

export interface UnitFieldWiring extends FieldBase {
  readonly kind: 'UNIT';
  readonly dataSource: DataSourceName;
  /**
   * For a Lambda BatchInvoke resolver: how many sources AppSync batches into one invocation.
   * @default - no batching
   */
  readonly maxBatchSize?: number;
}

export interface PipelineFieldWiring extends FieldBase {
  readonly kind: 'PIPELINE';
  readonly steps: readonly PipelineStep[];
}

export type FieldWiring = UnitFieldWiring | PipelineFieldWiring;

export const fields: readonly FieldWiring[] = [
  {
    typeName: 'Mutation',
    fieldName: 'requestUpload',
    kind: 'PIPELINE',
    auth: clientModes,
    code: 'resolvers/Mutation.requestUpload.ts',
    steps: [
      { name: 'recordPendingImage', code: 'resolvers/pipeline/recordPendingImage.ts', dataSource: 'imagesTable' },
      { name: 'presignUpload', code: 'resolvers/pipeline/presignUpload.ts', dataSource: 'presignUploadFunction' },
    ],
  },
  {
    typeName: 'Mutation',
    fieldName: 'publishImageLabeled',
    kind: 'UNIT',
    auth: [AuthMode.IAM],
    code: 'resolvers/Mutation.publishImageLabeled.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Query',
    fieldName: 'image',
    kind: 'UNIT',
    auth: clientModes,
    code: 'resolvers/Query.image.ts',
    dataSource: 'imagesTable',
  },
  {
    typeName: 'Query',
    fieldName: 'imagesByLabel',
    kind: 'PIPELINE',
    auth: clientModes,
    code: 'resolvers/Query.imagesByLabel.ts',
    steps: [
      { name: 'queryLabelEntries', code: 'resolvers/pipeline/queryLabelEntries.ts', dataSource: 'imagesTable' },
      { name: 'getImagesByLabelEntry', code: 'resolvers/pipeline/getImagesByKey.ts', dataSource: 'imagesTable' },
    ],
  },
  {
    typeName: 'Query',
    fieldName: 'images',
    kind: 'PIPELINE',
    auth: clientModes,
    code: 'resolvers/Query.images.ts',
    steps: [
      { name: 'queryImagesByOwner', code: 'resolvers/pipeline/queryImagesByOwner.ts', dataSource: 'imagesTable' },
      { name: 'getImagesByKey', code: 'resolvers/pipeline/getImagesByKey.ts', dataSource: 'imagesTable' },
    ],
  },
  {
    typeName: 'Query',
    fieldName: 'labels',
    kind: 'UNIT',
    auth: clientModes,
    code: 'resolvers/Query.labels.ts',
    dataSource: 'imagesTable',
  },
  {
    typeName: 'Mutation',
    fieldName: 'deleteImage',
    kind: 'UNIT',
    auth: clientModes,
    code: 'resolvers/Mutation.deleteImage.ts',
    dataSource: 'deleteImageFunction',
  },
  {
    typeName: 'Subscription',
    fieldName: 'onImageLabeled',
    kind: 'UNIT',
    auth: clientModes,
    code: 'resolvers/Subscription.onImageLabeled.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Image',
    fieldName: 'url',
    kind: 'UNIT',
    auth: clientModes,
    code: 'resolvers/Image.url.ts',
    dataSource: 'presignDownloadFunction',
    maxBatchSize: 100,
  },
  {
    typeName: 'Image',
    fieldName: 'thumbnailUrl',
    kind: 'UNIT',
    auth: clientModes,
    code: 'resolvers/Image.thumbnailUrl.ts',
    dataSource: 'presignDownloadFunction',
    maxBatchSize: 100,
  },
];

/** Every field's wiring, keyed `Type.field`. */
export const fieldsByCoordinate: ReadonlyMap<string, FieldWiring> = new Map(
  fields.map((field) => [`${field.typeName}.${field.fieldName}`, field]),
);
