/**
 * Query.images — the caller's images, whatever their status, newest first
 * by createdAt: a pipeline of one Query on the byOwner index (never a Scan;
 * the partition is the caller's owner key, so only its own images come back)
 * and one BatchGetItem of the page's images (pipeline/queryImagesByOwner.ts,
 * pipeline/getImagesByKey.ts). The index holds keys only, so it costs one
 * small write per image and none when the image is labelled (api/table.ts).
 * Arguments are checked here, before any data source, as imagesByLabel does.
 */
import type { Context } from '@aws-appsync/utils';
import { checkedLimit, checkedNextToken } from './shared/arguments.ts';

interface ImagesArgs {
  limit?: number | null;
  nextToken?: string | null;
}

export function request(ctx: Context<ImagesArgs>) {
  ctx.stash.limit = checkedLimit(ctx.args.limit);
  ctx.stash.nextToken = checkedNextToken(ctx.args.nextToken);
  return {};
}

export function response(ctx: Context<ImagesArgs>) {
  return { items: ctx.prev.result, nextToken: ctx.stash.pageNextToken ?? null };
}
