/**
 * requestUpload step 1: records the image as PENDING before any URL exists,
 * so every upload the labeler sees has a record to move to a terminal status.
 * The caller becomes its owner (a user-pool sub, or the API-key space).
 */
import { util, type Context, type DynamoDBPutItemRequest } from '@aws-appsync/utils';
import { ownerOf } from '../../api/owner.ts';
import { awaitingRecovery, imageKey } from '../../api/table.ts';
import { failOnDataSourceError } from '../shared/data-source-errors.ts';

export function request(ctx: Context<{ input: { contentType: string; sizeBytes: number } }>): DynamoDBPutItemRequest {
  const { imageId, createdAt, fileName, callbackUrl } = ctx.stash;
  const { contentType, sizeBytes } = ctx.args.input;
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues(imageKey(imageId)),
    attributeValues: util.dynamodb.toMapValues({
      id: imageId,
      status: 'PENDING',
      contentType,
      sizeBytes,
      fileName,
      createdAt,
      labels: [],
      moderationLabels: [],
      owner: ownerOf(ctx.identity as { sub?: string } | null),
      // Keys it in the sparse byStatus index until it is finished: pushed, and for a LABELED image counted (api/table.ts).
      ...awaitingRecovery(),
      // Only when given: the labeler POSTs the terminal image there.
      ...(callbackUrl ? { callbackUrl } : {}),
    }),
    condition: { expression: 'attribute_not_exists(pk)' },
  };
}

export function response(ctx: Context) {
  // A fresh util.autoId() id cannot collide, so every error here is DynamoDB's, not the client's.
  if (ctx.error) failOnDataSourceError(ctx.error, 'record the upload');
  return ctx.result;
}
