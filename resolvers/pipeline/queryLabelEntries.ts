/**
 * Query.imagesByLabel step 1: one page of label entries from the partition
 * the field chose (owner, name and confidence threshold; api/table.ts),
 * newest first, filtered on confidence only between thresholds. The page's
 * nextToken is kept in the stash for the field's answer; the images' table
 * keys go to getImagesByKey.
 */
import { util, type Context, type DynamoDBQueryRequest } from '@aws-appsync/utils';
import { ImagesTableLayout, imageKey } from '../../api/table.ts';
import { failOnPageError } from '../shared/data-source-errors.ts';

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

export function request(ctx: Context): DynamoDBQueryRequest {
  const query: DynamoDBQueryRequest = {
    operation: 'Query',
    query: {
      expression: '#pk = :partition',
      expressionNames: { '#pk': ImagesTableLayout.partitionKey },
      expressionValues: util.dynamodb.toMapValues({ ':partition': ctx.stash.partition }),
    },
    scanIndexForward: false,
    limit: ctx.stash.limit,
  };
  if (ctx.stash.nextToken !== null) query.nextToken = ctx.stash.nextToken;
  if (ctx.stash.minConfidence !== null) query.filter = confidenceFilter(ctx.stash.minConfidence);
  return query;
}

export function response(ctx: Context) {
  if (ctx.error) failOnPageError(ctx.error, ctx.stash.nextToken, 'search the images');
  ctx.stash.pageNextToken = ctx.result.nextToken ?? null;
  return ctx.result.items.map((entry: { id: string }) => imageKey(entry.id));
}
