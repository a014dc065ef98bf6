/**
 * Mutation.requestUpload — pipeline resolver.
 * Before: validates the input and picks the image id. Steps: recordPendingImage
 * (DynamoDB), then presignUpload (Lambda; APPSYNC_JS has no crypto to sign with).
 */
import { util, type Context } from '@aws-appsync/utils';
import { CallbackSettings, CallbackUrlPolicy } from '../api/callback.ts';
import { UploadLimits } from '../api/limits.ts';
import { badRequest, isPrintableText } from './shared/arguments.ts';

interface RequestUploadArgs {
  input: { contentType: string; sizeBytes: number; fileName?: string | null; callbackUrl?: string | null };
}

/**
 * Keeps the last path segment, so a name never reads as a path, and refuses
 * what would not display as itself: control characters, line separators,
 * bidirectional overrides (U+202E turns "gpj.exe" into "exe.jpg" on screen),
 * invisible characters and unpaired surrogates.
 */
function cleanFileName(fileName: string | null | undefined): string | null {
  if (fileName === null || fileName === undefined) return null;
  // The whole name, before trim() could drop a trailing U+2028 or BOM unseen.
  if (!isPrintableText(fileName)) {
    badRequest('fileName must contain only printable characters: no control, line-separator, bidirectional or invisible ones', 'fileName');
  }
  const segments = fileName.split('\\').join('/').split('/');
  const base = segments[segments.length - 1].trim();
  if (base === '' || base === '.' || base === '..') badRequest('fileName must name a file, not a path', 'fileName');
  if (base.length > UploadLimits.maxFileNameLength) {
    badRequest(`fileName is longer than ${UploadLimits.maxFileNameLength} characters`, 'fileName');
  }
  return base;
}

/** True for http://127.0.0.1 with an optional port and path, nothing else (no userinfo, no other host). */
function isLoopbackHttp(url: string): boolean {
  const prefix = 'http://127.0.0.1';
  if (!url.startsWith(prefix) || url.includes('@')) return false;
  const rest = url.slice(prefix.length);
  return rest === '' || rest.startsWith(':') || rest.startsWith('/');
}

/**
 * AWSURL has already checked the syntax. Which schemes are allowed is the
 * deployment's choice (AppSync environment variable, https only unless set):
 * the labeler checks the resolved address again before it connects.
 */
function checkedCallbackUrl(url: string | null | undefined, policy: string | undefined): string | null {
  if (url === null || url === undefined) return null;
  if (url.length > CallbackSettings.maxUrlLength) {
    badRequest(`callbackUrl is longer than ${CallbackSettings.maxUrlLength} characters`, 'callbackUrl');
  }
  if (!isPrintableText(url) || url.includes(' ')) badRequest('callbackUrl must be an https URL', 'callbackUrl');
  if (url.startsWith('https://')) return url;
  if (policy === CallbackUrlPolicy.HTTPS_OR_LOOPBACK_HTTP && isLoopbackHttp(url)) return url;
  return badRequest('callbackUrl must be an https URL', 'callbackUrl');
}

export function request(ctx: Context<RequestUploadArgs>) {
  const { contentType, sizeBytes, fileName } = ctx.args.input;
  const allowed: readonly string[] = UploadLimits.contentTypes;
  if (!allowed.includes(contentType)) {
    util.error(`contentType must be one of ${allowed.join(', ')}`, 'UnsupportedMediaTypeException', null, {
      field: 'contentType',
    });
  }
  // Too small is a malformed argument; too large is the one case S3 and AppSync call PayloadTooLarge.
  if (!(sizeBytes >= 1)) badRequest(`sizeBytes must be between 1 and ${UploadLimits.maxSizeBytes}`, 'sizeBytes');
  if (sizeBytes > UploadLimits.maxSizeBytes) {
    util.error(`sizeBytes must be between 1 and ${UploadLimits.maxSizeBytes}`, 'PayloadTooLargeException', null, {
      field: 'sizeBytes',
    });
  }
  ctx.stash.imageId = util.autoId();
  ctx.stash.createdAt = util.time.nowISO8601();
  ctx.stash.fileName = cleanFileName(fileName);
  ctx.stash.callbackUrl = checkedCallbackUrl(ctx.args.input.callbackUrl, ctx.env[CallbackSettings.urlPolicyVariable]);
  return {};
}

export function response(ctx: Context) {
  return ctx.prev.result;
}
