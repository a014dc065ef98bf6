/**
 * Query.labels — the label catalog for autocomplete: one Query on the catalog
 * partition, begins_with on its sort key (names lower-cased), alphabetical.
 * Each owner has its own catalog partition: the counts are of the caller's images.
 */
import { util, type Context, type DynamoDBQueryRequest } from '@aws-appsync/utils';
import { PageLimits } from '../api/limits.ts';
import { ownerOf } from '../api/owner.ts';
import { catalogPartition, catalogSortKey, ImagesTableLayout } from '../api/table.ts';

interface LabelsArgs {
  prefix?: string | null;
  limit?: number | null;
  nextToken?: string | null;
}

interface CatalogItem {
  name: string;
  imageCount: number;
}

function badRequest(message: string, field: string): never {
  return util.error(message, 'BadRequestException', null, { field });
}

export function request(ctx: Context<LabelsArgs>): DynamoDBQueryRequest {
  const { nextToken } = ctx.args;
  const prefix = (ctx.args.prefix ?? '').trim();
  const limit = ctx.args.limit ?? PageLimits.defaultLimit;
  if (prefix.length > PageLimits.maxLabelLength) {
    badRequest(`prefix must be at most ${PageLimits.maxLabelLength} characters`, 'prefix');
  }
  if (limit < 1 || limit > PageLimits.maxLimit) {
    badRequest(`limit must be between 1 and ${PageLimits.maxLimit}`, 'limit');
  }
  const query: DynamoDBQueryRequest = {
    operation: 'Query',
    query: {
      expression: '#pk = :pk AND begins_with(#sk, :prefix)',
      expressionNames: { '#pk': ImagesTableLayout.partitionKey, '#sk': ImagesTableLayout.sortKey },
      expressionValues: util.dynamodb.toMapValues({ ':pk': catalogPartition(ownerOf(ctx.identity as { sub?: string } | null)), ':prefix': catalogSortKey(prefix) }),
    },
    limit,
  };
  if (nextToken) query.nextToken = nextToken;
  return query;
}

export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const { items, nextToken } = ctx.result;
  return {
    items: items.map((item: CatalogItem) => ({ name: item.name, imageCount: item.imageCount })),
    nextToken: nextToken ?? null,
  };
}
