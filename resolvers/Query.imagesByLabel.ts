/**
 * Query.imagesByLabel — one Query on the byLabel index (never a Scan), newest
 * first. Each index entry carries a copy of its image, so one Query answers.
 * minConfidence picks the confidence-threshold partition (api/table.ts), so
 * it is applied by the key; a filter is added only between thresholds.
 * The partition also names the caller's owner key: only its own images come back.
 * Every argument is checked here, so the only DynamoDB error a client can
 * cause is a refused nextToken (shared/data-source-errors.ts).
 */
import { util, type Context, type DynamoDBQueryRequest } from '@aws-appsync/utils';
import { ownerOf } from '../api/owner.ts';
import { ImagesTableLayout, labelIndexKey, thresholdFor } from '../api/table.ts';
import { badRequest, checkedLabelText, checkedLimit, checkedNextToken } from './shared/arguments.ts';
import { failOnPageError } from './shared/data-source-errors.ts';

interface ImagesByLabelArgs {
  label: string;
  minConfidence?: number | null;
  limit?: number | null;
  nextToken?: string | null;
}

/**
 * DynamoDB's smallest positive number is 1E-130; a smaller one is refused
 * ("Number underflow"). No stored confidence lies between 0 and it, so below
 * it "confidence >= minConfidence" is "confidence > 0".
 */
const smallestDynamoDbNumber = 1e-130;

function confidenceFilter(minConfidence: number): NonNullable<DynamoDBQueryRequest['filter']> {
  const representable = minConfidence >= smallestDynamoDbNumber;
  return {
    expression: representable ? '#confidence >= :minConfidence' : '#confidence > :minConfidence',
    expressionNames: { '#confidence': 'confidence' },
    expressionValues: util.dynamodb.toMapValues({ ':minConfidence': representable ? minConfidence : 0 }),
  };
}

export function request(ctx: Context<ImagesByLabelArgs>): DynamoDBQueryRequest {
  const { minConfidence } = ctx.args;
  const name = checkedLabelText(ctx.args.label, 'label', 1);
  const limit = checkedLimit(ctx.args.limit);
  const nextToken = checkedNextToken(ctx.args.nextToken);
  const hasMinimum = minConfidence !== null && minConfidence !== undefined;
  // Written so that NaN fails too.
  if (hasMinimum && !(minConfidence >= 0 && minConfidence <= 100)) badRequest('minConfidence must be between 0 and 100', 'minConfidence');
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
  if (nextToken !== null) query.nextToken = nextToken;
  if (hasMinimum && minConfidence > threshold) query.filter = confidenceFilter(minConfidence);
  return query;
}

export function response(ctx: Context<ImagesByLabelArgs>) {
  if (ctx.error) failOnPageError(ctx.error, checkedNextToken(ctx.args.nextToken), 'search the images');
  const { items, nextToken } = ctx.result;
  return { items: items.map((entry: { image: unknown }) => entry.image), nextToken: nextToken ?? null };
}
