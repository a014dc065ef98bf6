/**
 * The Lambda Invoke API's request, as the REST API defines it:
 * `POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=]`, the
 * invocation type in `X-Amz-Invocation-Type`, the event as a JSON body; and
 * Lambda's errors are errors.ts's. Only parsing lives here; api.ts serves it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { localAccountId } from '../appsync/server/auth.ts';
import { LambdaApiError, LambdaErrorCode } from './errors.ts';

export const invokePathPattern = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export const InvocationType = {
  requestResponse: 'RequestResponse',
  event: 'Event',
  dryRun: 'DryRun',
} as const;
export type InvocationType = (typeof InvocationType)[keyof typeof InvocationType];

/** Payload limits: 6 MB synchronous, 1 MB asynchronous. */
export const maxPayloadBytes: Readonly<Record<InvocationType, number>> = {
  RequestResponse: 6 * 1024 * 1024,
  Event: 1024 * 1024,
  DryRun: 6 * 1024 * 1024,
};

/** FunctionName as Lambda accepts it: a name, a partial or full ARN, each with an optional qualifier. */
const functionNamePattern =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const functionNamePatternText =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

export interface InvokeTarget {
  /** The function's name, not yet checked against the functions that exist. */
  readonly functionName: string;
  /** The region and account an ARN named, if it named them. */
  readonly region?: string;
  readonly accountId?: string;
  /** `$LATEST` unless a version or alias was asked for. */
  readonly qualifier: string;
}

/** The function an invoke path names, or undefined when the path is not the Invoke route. */
export function parseInvokePath(url: string): InvokeTarget | undefined {
  const parsed = new URL(url, 'http://localhost');
  const match = invokePathPattern.exec(parsed.pathname);
  if (!match) return undefined;
  let raw: string;
  try {
    raw = decodeURIComponent(match[1]);
  } catch {
    raw = match[1];
  }
  const name = functionNamePattern.exec(raw);
  if (!name || raw.length > 170) {
    throw new LambdaApiError(
      LambdaErrorCode.validation,
      `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${functionNamePatternText}`,
    );
  }
  const [, region, accountId, functionName, nameQualifier] = name;
  const queryQualifier = parsed.searchParams.get('Qualifier') ?? undefined;
  if (nameQualifier !== undefined && queryQualifier !== undefined && nameQualifier !== queryQualifier) {
    throw new LambdaApiError(LambdaErrorCode.validation, 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  return { functionName, region, accountId, qualifier: nameQualifier ?? queryQualifier ?? '$LATEST' };
}

/** The function's ARN, as Lambda words it in errors and reports it to the function. */
export const functionArn = (target: Pick<InvokeTarget, 'functionName' | 'qualifier'>, region: string, accountId = localAccountId): string =>
  `arn:aws:lambda:${region}:${accountId}:function:${target.functionName}${target.qualifier === '$LATEST' ? '' : `:${target.qualifier}`}`;

/**
 * The function this stack runs under the target's name. Only `$LATEST` exists
 * offline; another region, account, version or alias is not found, as on AWS.
 */
export function resolveFunction<Name extends string>(target: InvokeTarget, functions: readonly Name[], region: string): Name {
  const known = functions.find((name) => name === target.functionName);
  const here = (target.region ?? region) === region && (target.accountId ?? localAccountId) === localAccountId;
  if (!known || !here || target.qualifier !== '$LATEST') {
    throw new LambdaApiError(
      LambdaErrorCode.resourceNotFound,
      `Function not found: ${functionArn(target, target.region ?? region, target.accountId)}`,
    );
  }
  return known;
}

export function invocationTypeOf(headers: IncomingHttpHeaders): InvocationType {
  const raw = headers['x-amz-invocation-type'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return InvocationType.requestResponse;
  const known = Object.values(InvocationType).find((type) => type === value);
  if (!known) {
    throw new LambdaApiError(
      LambdaErrorCode.validation,
      `1 validation error detected: Value '${value}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
    );
  }
  return known;
}

/** The event: any JSON value; an empty body is `{}`. */
export function parsePayload(body: Buffer, type: InvocationType): unknown {
  if (body.length > maxPayloadBytes[type]) {
    throw new LambdaApiError(LambdaErrorCode.requestTooLarge, `Request must be smaller than ${maxPayloadBytes[type]} bytes for the InvokeFunction operation`);
  }
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new LambdaApiError(
      LambdaErrorCode.invalidRequestContent,
      `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
