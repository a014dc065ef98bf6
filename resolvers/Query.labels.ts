/**
 * Query.labels — the label catalog for autocomplete: one Query on the catalog
 * partition, begins_with on its sort key (names lower-cased), alphabetical.
 * Each owner has its own catalog partition: the counts are of the caller's images.
 * Every argument is checked here, so the only DynamoDB error a client can
 * cause is a refused nextToken (shared/data-source-errors.ts).
 */
import { util, type Context, type DynamoDBQueryRequest } from '@aws-appsync/utils';
import { ownerOf } from '../api/owner.ts';
import { catalogPartition, catalogSortKey, ImagesTableLayout } from '../api/table.ts';
import { checkedLabelText, checkedLimit, checkedNextToken } from './shared/arguments.ts';
import { failOnPageError } from './shared/data-source-errors.ts';

interface LabelsArgs {
  prefix?: string | null;
  limit?: number | null;
  nextToken?: string | null;
}

interface CatalogItem {
  name: string;
  imageCount: number;
}

export function request(ctx: Context<LabelsArgs>): DynamoDBQueryRequest {
  const prefix = checkedLabelText(ctx.args.prefix ?? '', 'prefix', 0);
  const limit = checkedLimit(ctx.args.limit);
  const nextToken = checkedNextToken(ctx.args.nextToken);
  const query: DynamoDBQueryRequest = {
    operation: 'Query',
    query: {
      expression: '#pk = :pk AND begins_with(#sk, :prefix)',
      expressionNames: { '#pk': ImagesTableLayout.partitionKey, '#sk': ImagesTableLayout.sortKey },
      expressionValues: util.dynamodb.toMapValues({ ':pk': catalogPartition(ownerOf(ctx.identity as { sub?: string } | null)), ':prefix': catalogSortKey(prefix) }),
    },
    limit,
  };
  if (nextToken !== null) query.nextToken = nextToken;
  return query;
}

export function response(ctx: Context<LabelsArgs>) {
  if (ctx.error) failOnPageError(ctx.error, checkedNextToken(ctx.args.nextToken), 'list the labels');
  const { items, nextToken } = ctx.result;
  return {
    items: items.map((item: CatalogItem) => ({ name: item.name, imageCount: item.imageCount })),
    nextToken: nextToken ?? null,
  };
}
