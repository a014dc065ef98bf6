/**
 * Query.images step 1: one page of the caller's image keys from the byOwner
 * index (keys only, api/table.ts), newest first. The page's nextToken is
 * kept in the stash for the field's answer; the keys go to getImagesByKey.
 */
import { util, type Context, type DynamoDBQueryRequest } from '@aws-appsync/utils';
import { ownerOf } from '../../api/owner.ts';
import { ImagesTableLayout } from '../../api/table.ts';
import { failOnPageError } from '../shared/data-source-errors.ts';

export function request(ctx: Context): DynamoDBQueryRequest {
  const index = ImagesTableLayout.byOwnerIndex;
  const query: DynamoDBQueryRequest = {
    operation: 'Query',
    index: index.indexName,
    query: {
      expression: '#owner = :owner',
      expressionNames: { '#owner': index.partitionKey },
      expressionValues: util.dynamodb.toMapValues({ ':owner': ownerOf(ctx.identity as { sub?: string } | null) }),
    },
    scanIndexForward: false,
    limit: ctx.stash.limit,
  };
  if (ctx.stash.nextToken !== null) query.nextToken = ctx.stash.nextToken;
  return query;
}

export function response(ctx: Context) {
  if (ctx.error) failOnPageError(ctx.error, ctx.stash.nextToken, 'list the images');
  const { partitionKey, sortKey } = ImagesTableLayout;
  ctx.stash.pageNextToken = ctx.result.nextToken ?? null;
  return ctx.result.items.map((entry: Record<string, string>) => ({ [partitionKey]: entry[partitionKey], [sortKey]: entry[sortKey] }));
}
