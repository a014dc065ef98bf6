/**
 * Query.imagesByLabel — one Query on the byLabel index (never a Scan), newest
 * first. Each index entry carries a copy of its image, so one Query answers.
 * minConfidence picks the confidence-threshold partition (api/table.ts), so
 * it is applied by the key; a filter is added only between thresholds.
 * The partition also names the caller's owner key: only its own images come back.
 */
import { util, type Context, type DynamoDBQueryRequest } from '@aws-appsync/utils';
import { PageLimits } from '../api/limits.ts';
import { ownerOf } from '../api/owner.ts';
import { ImagesTableLayout, labelIndexKey, thresholdFor } from '../api/table.ts';

interface ImagesByLabelArgs {
  label: string;
  minConfidence?: number | null;
  limit?: number | null;
  nextToken?: string | null;
}

function badRequest(message: string, field: string): never {
  return util.error(message, 'BadRequestException', null, { field });
}

export function request(ctx: Context<ImagesByLabelArgs>): DynamoDBQueryRequest {
  const { label, minConfidence, nextToken } = ctx.args;
  const limit = ctx.args.limit ?? PageLimits.defaultLimit;
  const name = label.trim();
  if (name === '' || name.length > PageLimits.maxLabelLength) {
    badRequest(`label must be 1 to ${PageLimits.maxLabelLength} characters`, 'label');
  }
  if (limit < 1 || limit > PageLimits.maxLimit) {
    badRequest(`limit must be between 1 and ${PageLimits.maxLimit}`, 'limit');
  }
  if (minConfidence !== null && minConfidence !== undefined && (minConfidence < 0 || minConfidence > 100)) {
    badRequest('minConfidence must be between 0 and 100', 'minConfidence');
  }
  const hasMinimum = minConfidence !== null && minConfidence !== undefined;
  const threshold = hasMinimum ? thresholdFor(minConfidence) : 0;
  const index = ImagesTableLayout.byLabelIndex;
  const query: DynamoDBQueryRequest = {
    operation: 'Query',
    index: index.indexName,
    query: {
      expression: '#labelKey = :labelKey',
      expressionNames: { '#labelKey': index.partitionKey },
      expressionValues: util.dynamodb.toMapValues({ ':labelKey': labelIndexKey(ownerOf(ctx.identity as { sub?: string } | null), name, threshold) }),
    },
    scanIndexForward: false,
    limit,
  };
  if (nextToken) query.nextToken = nextToken;
  if (hasMinimum && minConfidence > threshold) {
    query.filter = {
      expression: '#confidence >= :minConfidence',
      expressionNames: { '#confidence': 'confidence' },
      expressionValues: util.dynamodb.toMapValues({ ':minConfidence': minConfidence }),
    };
  }
  return query;
}

export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const { items, nextToken } = ctx.result;
  return { items: items.map((entry: { image: unknown }) => entry.image), nextToken: nextToken ?? null };
}
