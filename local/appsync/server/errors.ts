/**
 * Every error shape the local AppSync sends, as AppSync sends it: request-level
 * errors (HTTP 4xx, `{ errors: [{ errorType, message }] }`), GraphQL validation
 * errors (HTTP 200, graphql-java style) and field errors (HTTP 200, with
 * path/data/errorType/errorInfo/locations). Nothing here ever carries a stack.
 */
import type { GraphQLError, SourceLocation } from 'graphql';
import type { SigV4Failure } from '../../iam/sigv4.ts';

/** A request-level error: HTTP status, `x-amzn-ErrorType`, JSON body. */
export interface RequestError {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

export const requestErrorBody = (error: RequestError) => ({
  errors: [{ errorType: error.errorType, message: error.message }],
});

const notAuthorizedMessage = 'You are not authorized to make this call.';

export const RequestErrors = {
  /** No, a wrong or an unsupported credential for the API's modes. */
  unauthorized: (): RequestError => ({ status: 401, errorType: 'UnauthorizedException', message: notAuthorizedMessage }),
  /** A user-pool token past its `exp`: AppSync says so rather than the generic refusal. */
  tokenExpired: (): RequestError => ({ status: 401, errorType: 'UnauthorizedException', message: 'Token has expired.' }),
  emptyBody: (): RequestError => ({ status: 400, errorType: 'MalformedHttpRequestException', message: 'Request body is empty.' }),
  unparsableQuery: (): RequestError => ({ status: 400, errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }),
  invalidJson: (): RequestError => ({ status: 400, errorType: 'MalformedHttpRequestException', message: 'Invalid JSON payload in POST request.' }),
  bodyTooLarge: (limitBytes: number): RequestError => ({
    status: 413,
    errorType: 'PayloadTooLargeException',
    message: `Request body exceeds the ${limitBytes} bytes limit.`,
  }),
  notFound: (): RequestError => ({ status: 404, errorType: 'NotFoundException', message: 'Not Found' }),
  methodNotAllowed: (): RequestError => ({ status: 405, errorType: 'MethodNotAllowedException', message: 'Method not allowed.' }),
  internal: (): RequestError => ({ status: 500, errorType: 'InternalFailureException', message: 'An internal failure occurred.' }),
  /**
   * A request the API's web ACL blocks (rate-limit.ts): HTTP 403 with `WAFForbiddenException`, "403 Forbidden".
   * AWS's guides say only that WAF answers a block with 403 Forbidden; this body is the one AppSync clients report
   * receiving (and handle) for a WAF block, so the local AppSync sends the same.
   */
  wafBlocked: (): RequestError => ({ status: 403, errorType: 'WAFForbiddenException', message: '403 Forbidden' }),
} as const;

/** Codes of local/iam/sigv4.ts verifySigV4 failures. */
export type SigV4FailureCode = SigV4Failure['code'];

/**
 * AppSync answers a bad SigV4 with HTTP 403 and the JSON-protocol error types
 * AWS services share (a wrong key is "UnrecognizedClientException", a stale
 * signature an "InvalidSignatureException: Signature expired ...").
 */
export function sigV4RequestError(code: SigV4FailureCode, message: string): RequestError {
  switch (code) {
    case 'MissingAuthenticationToken':
      return RequestErrors.unauthorized();
    case 'IncompleteSignature':
      return { status: 403, errorType: 'IncompleteSignatureException', message };
    case 'InvalidAccessKeyId':
    case 'InvalidToken':
      return { status: 403, errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    case 'SignatureDoesNotMatch':
      return {
        status: 403,
        errorType: 'InvalidSignatureException',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      };
    case 'RequestExpired':
    case 'RequestTimeTooSkewed':
      return { status: 403, errorType: 'InvalidSignatureException', message };
    case 'AccessDenied':
      return { status: 403, errorType: 'AccessDeniedException', message };
  }
}

/** Locations as graphql-java prints them. */
const appSyncLocations = (locations: readonly SourceLocation[] | undefined) =>
  (locations ?? []).map((location) => ({ line: location.line, column: location.column, sourceName: null }));

/** One entry of a GraphQL response's `errors`, as AppSync serialises it. */
export interface GraphQLResponseError {
  readonly path: readonly (string | number)[] | null;
  readonly data?: unknown;
  readonly errorType?: string | null;
  readonly errorInfo?: unknown;
  readonly locations: readonly { line: number; column: number; sourceName: null }[];
  readonly message: string;
}

/** graphql-js validation rule messages → graphql-java's validation error kinds, which AppSync reports. */
const validationKinds: readonly [RegExp, string][] = [
  [/^Cannot query field/, 'FieldUndefined'],
  [/^Unknown argument/, 'UnknownArgument'],
  [/^Unknown type/, 'UnknownType'],
  [/^Unknown directive/, 'UnknownDirective'],
  [/^Unknown fragment/, 'UndefinedFragment'],
  [/must have a selection of subfields/, 'SubSelectionRequired'],
  [/must not have a selection since/, 'SubSelectionNotAllowed'],
  [/argument .* of type .* is required, but it was not provided/, 'MissingFieldArgument'],
  [/^Variable ".*" is never used/, 'UnusedVariable'],
  [/^Variable ".*" is not defined/, 'UndefinedVariable'],
  [/^Fragment ".*" is never used/, 'UnusedFragment'],
  [/^There can be only one/, 'DuplicateOperationName'],
  [/cannot be (spread|used)|Variable .* of type .* used in position expecting/, 'VariableTypeMismatch'],
  [/^(Expected value|Int cannot|Float cannot|String cannot|Boolean cannot|ID cannot|Enum|Field .* of required type|Field .* is not defined by type)/, 'WrongType'],
];

const validationKind = (message: string) => validationKinds.find(([pattern]) => pattern.test(message))?.[1] ?? 'InvalidSyntax';

/** A document that fails validation: HTTP 200, `data: null`, graphql-java's message style. */
export const validationError = (error: GraphQLError): GraphQLResponseError => ({
  path: null,
  locations: appSyncLocations(error.locations),
  message: `Validation error of type ${validationKind(error.message)}: ${error.message}`,
});

/** A syntax error in the query text. */
export const syntaxError = (error: GraphQLError): GraphQLResponseError => ({
  path: null,
  locations: appSyncLocations(error.locations),
  message: error.message.replace(/^Syntax Error: /, 'Invalid Syntax : '),
});

/** A variable value that cannot be coerced (AppSync phrases these like graphql-java). */
export const variableError = (error: GraphQLError): GraphQLResponseError => ({
  path: null,
  locations: appSyncLocations(error.locations),
  message: error.message,
});

/** `errorType` AppSync gives a field its caller's auth mode may not read. */
export const unauthorizedFieldErrorType = 'Unauthorized';

/** What execution attaches to a GraphQLError it raised itself, to serialise it the AppSync way. */
export interface AppSyncErrorExtensions {
  readonly errorType?: string | null;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
}

export const unauthorizedFieldMessage = (fieldName: string, typeName: string) => `Not Authorized to access ${fieldName} on type ${typeName}`;

/**
 * An execution-time error in AppSync's shape: resolver errors and auth
 * refusals carry data/errorType/errorInfo; graphql-js's own (non-null
 * violations, scalar serialisation) carry path, locations and message only.
 * Unexpected exceptions never get here: execution replaces them first.
 */
export function fieldError(error: GraphQLError): GraphQLResponseError {
  const appsync = error.extensions?.appsync as AppSyncErrorExtensions | undefined;
  const path = error.path ?? null;
  if (!appsync) return { path, locations: appSyncLocations(error.locations), message: error.message };
  return {
    path,
    data: appsync.data ?? null,
    errorType: appsync.errorType ?? null,
    errorInfo: appsync.errorInfo ?? null,
    locations: appSyncLocations(error.locations),
    message: error.message,
  };
}

/** What a client sees when the local runtime itself fails (the cause goes to the server log). */
export const internalFailure = { message: 'An internal failure occurred while resolving this field.', errorType: 'InternalFailure' } as const;
