/**
 * Query.imagesByLabel — a pipeline of one Query on one label-entry partition
 * of the table (never a Scan), newest first, and one BatchGetItem of the
 * page's images (pipeline/queryLabelEntries.ts, pipeline/getImagesByKey.ts).
 * Entries hold keys and a confidence only, so an image costs one small write
 * per name and threshold (api/table.ts). minConfidence picks the
 * confidence-threshold partition, so it is applied by the key; a filter is
 * added only between thresholds. The partition also names the caller's owner
 * key: only its own images come back. Every argument is checked here, before
 * any data source, so the only DynamoDB error a client can cause is a
 * refused nextToken (shared/data-source-errors.ts).
 */
import type { Context } from '@aws-appsync/utils';
import { ownerOf } from '../api/owner.ts';
import { labelPartition, thresholdFor } from '../api/table.ts';
import { badRequest, checkedLabelText, checkedLimit, checkedNextToken } from './shared/arguments.ts';

interface ImagesByLabelArgs {
  label: string;
  minConfidence?: number | null;
  limit?: number | null;
  nextToken?: string | null;
}

export function request(ctx: Context<ImagesByLabelArgs>) {
  const { minConfidence } = ctx.args;
  const name = checkedLabelText(ctx.args.label, 'label', 1);
  ctx.stash.limit = checkedLimit(ctx.args.limit);
  ctx.stash.nextToken = checkedNextToken(ctx.args.nextToken);
  const hasMinimum = minConfidence !== null && minConfidence !== undefined;
  // Written so that NaN fails too.
  if (hasMinimum && !(minConfidence >= 0 && minConfidence <= 100)) badRequest('minConfidence must be between 0 and 100', 'minConfidence');
  const threshold = hasMinimum ? thresholdFor(minConfidence) : 0;
  ctx.stash.partition = labelPartition(ownerOf(ctx.identity as { sub?: string } | null), name, threshold);
  // Between thresholds, the entries under minConfidence are filtered out.
  ctx.stash.minConfidence = hasMinimum && minConfidence > threshold ? minConfidence : null;
  return {};
}

export function response(ctx: Context<ImagesByLabelArgs>) {
  return { items: ctx.prev.result, nextToken: ctx.stash.pageNextToken ?? null };
}
