/**
 * Mutation.requestUpload — pipeline resolver.
 * Before: validates the input and picks the image id. Steps: recordPendingImage
 * (DynamoDB), then presignUpload (Lambda; APPSYNC_JS has no crypto to sign with).
 */
import { util, type Context } from '@aws-appsync/utils';
import { UploadLimits } from '../api/limits.ts';

interface RequestUploadArgs {
  input: { contentType: string; sizeBytes: number; fileName?: string | null };
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
  return {};
}

export function response(ctx: Context) {
  return ctx.prev.result;
}
