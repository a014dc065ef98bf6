/**
 * The last step of Query.images and Query.imagesByLabel: reads the images
 * whose table keys the previous step returned (from an index or label
 * entries that hold keys only, api/table.ts), in that order, with one BatchGetItem (at most PageLimits.maxLimit = 100 keys, the
 * BatchGetItem limit). Images deleted since their index entry was read are
 * left out, as is anything that is not the caller's (the index partition is
 * already the caller's; this is a second check, never expected to drop one).
 * Keys DynamoDB left unprocessed (throttling) end the field with a
 * ThrottlingException the client may retry, rather than a short page that
 * would look like the end of the library.
 */
import { runtime, util, type Context, type DynamoDBBatchGetItemRequest } from '@aws-appsync/utils';
import { ownerOf, ownerOfItem } from '../../api/owner.ts';
import { ImagesTableLayout } from '../../api/table.ts';
import { failOnDataSourceError } from '../shared/data-source-errors.ts';

type TableKey = Record<string, string>;

export function request(ctx: Context): DynamoDBBatchGetItemRequest {
  const keys = ctx.prev.result as TableKey[];
  // DynamoDB refuses a BatchGetItem with no keys: an empty page needs no read.
  if (keys.length === 0) runtime.earlyReturn([]);
  return {
    operation: 'BatchGetItem',
    tables: { [ctx.env[ImagesTableLayout.tableNameVariable]]: { keys: keys.map((key) => util.dynamodb.toMapValues(key)) } },
  };
}

export function response(ctx: Context) {
  if (ctx.error) failOnDataSourceError(ctx.error, 'read the images');
  const tableName = ctx.env[ImagesTableLayout.tableNameVariable];
  const unprocessed = ctx.result.unprocessedKeys ? ctx.result.unprocessedKeys[tableName] : null;
  if (unprocessed && unprocessed.length > 0) util.error('Could not read the images right now; try again', 'ThrottlingException');
  const owner = ownerOf(ctx.identity as { sub?: string } | null);
  const found = ctx.result.data[tableName] as ({ owner?: string | null } | null)[];
  return found.filter((image) => image !== null && ownerOfItem(image) === owner);
}
