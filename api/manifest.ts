/**
 * The one source of truth for how the API is wired: which resolver code, data
 * source and authorization modes serve each root field, and which Lambda
 * functions exist. Both infra/ (CDK) and local/ (offline stack) read this file.
 */

/** AppSync authorization modes, named as AppSync names them. */
export const AuthMode = {
  API_KEY: 'API_KEY',
  IAM: 'AWS_IAM',
  USER_POOL: 'AMAZON_COGNITO_USER_POOLS',
} as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

/** The API's default mode; every other mode the API uses is an additional one. */
export const defaultAuthMode: AuthMode = AuthMode.API_KEY;

/** Modes available offline: the local stack has no Cognito. */
export const localAuthModes: readonly AuthMode[] = [AuthMode.API_KEY, AuthMode.IAM];

/** Modes a client application calls with. */
const clientModes = [AuthMode.API_KEY, AuthMode.USER_POOL] as const;

/** Lambda functions, by logical name. Paths are relative to the repo root. */
export const lambdaFunctions = {
  presignUpload: {
    entry: 'functions/presign-upload/handler.ts',
    description: 'Presigns the S3 PUT URL for one pending image',
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  labeler: {
    entry: 'functions/labeler/handler.ts',
    description: 'Labels an uploaded image with Rekognition and publishes the result',
    timeoutSeconds: 60,
    memoryMb: 512,
  },
} as const;
export type LambdaFunctionName = keyof typeof lambdaFunctions;

/** AppSync data sources, by logical name. */
export const dataSources = {
  imagesTable: { kind: 'DYNAMODB' },
  presignUploadFunction: { kind: 'LAMBDA', function: 'presignUpload' },
  none: { kind: 'NONE' },
} as const satisfies Record<string, DataSourceSpec>;
export type DataSourceName = keyof typeof dataSources;

export type DataSourceSpec =
  | { readonly kind: 'DYNAMODB' }
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
  readonly typeName: 'Query' | 'Mutation' | 'Subscription';
  readonly fieldName: string;
  /** Modes allowed to call this field. */
  readonly auth: readonly AuthMode[];
  /** Resolver code file (request/response), relative to the repo root. */
  readonly code: string;
}

export interface UnitFieldWiring extends FieldBase {
  readonly kind: 'UNIT';
  readonly dataSource: DataSourceName;
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
    kind: 'UNIT',
    auth: clientModes,
    code: 'resolvers/Query.imagesByLabel.ts',
    dataSource: 'imagesTable',
  },
  {
    typeName: 'Subscription',
    fieldName: 'onImageLabeled',
    kind: 'UNIT',
    auth: clientModes,
    code: 'resolvers/Subscription.onImageLabeled.ts',
    dataSource: 'none',
  },
];

/** Every field's wiring, keyed `Type.field`. */
export const fieldsByCoordinate: ReadonlyMap<string, FieldWiring> = new Map(
  fields.map((field) => [`${field.typeName}.${field.fieldName}`, field]),
);
