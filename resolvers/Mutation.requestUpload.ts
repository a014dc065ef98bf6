/**
 * Mutation.requestUpload — pipeline resolver.
 * Before: validates the input and picks the image id. Steps: recordPendingImage
 * (DynamoDB), then presignUpload (Lambda; APPSYNC_JS has no crypto to sign with).
 */
import { util, type Context } from '@aws-appsync/utils';
import { CallbackSettings, CallbackUrlPolicy } from '../api/callback.ts';
import { UploadLimits } from '../api/limits.ts';

interface RequestUploadArgs {
  input: { contentType: string; sizeBytes: number; fileName?: string | null; callbackUrl?: string | null };
}

function hasControlCharacter(text: string): boolean {
  for (const char of text) {
    if (char < ' ' || char === '\u007f') return true;
  }
  return false;
}

/** Keeps the last path segment and refuses control characters, so a name never reads as a path. */
function cleanFileName(fileName: string | null | undefined): string | null {
  if (fileName === null || fileName === undefined) return null;
  const segments = fileName.split('\\').join('/').split('/');
  const base = segments[segments.length - 1].trim();
  if (base === '' || base === '.' || base === '..') {
    util.error('fileName must name a file, not a path', 'BadRequestException', null, { field: 'fileName' });
  }
  if (hasControlCharacter(base)) {
    util.error('fileName must not contain control characters', 'BadRequestException', null, { field: 'fileName' });
  }
  if (base.length > UploadLimits.maxFileNameLength) {
    util.error(`fileName is longer than ${UploadLimits.maxFileNameLength} characters`, 'BadRequestException', null, {
      field: 'fileName',
    });
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
    util.error(`callbackUrl is longer than ${CallbackSettings.maxUrlLength} characters`, 'BadRequestException', null, {
      field: 'callbackUrl',
    });
  }
  if (url.startsWith('https://')) return url;
  if (policy === CallbackUrlPolicy.HTTPS_OR_LOOPBACK_HTTP && isLoopbackHttp(url)) return url;
  util.error('callbackUrl must be an https URL', 'BadRequestException', null, { field: 'callbackUrl' });
  return null;
}

export function request(ctx: Context<RequestUploadArgs>) {
  const { contentType, sizeBytes, fileName } = ctx.args.input;
  const allowed: readonly string[] = UploadLimits.contentTypes;
  if (!allowed.includes(contentType)) {
    util.error(`contentType must be one of ${allowed.join(', ')}`, 'UnsupportedMediaTypeException', null, {
      field: 'contentType',
    });
  }
  if (sizeBytes < 1 || sizeBytes > UploadLimits.maxSizeBytes) {
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
