/**
 * requestUpload step 1: records the image as PENDING before any URL exists,
 * so every upload the labeler sees has a record to move to a terminal status.
 */
import { util, type Context, type DynamoDBPutItemRequest } from '@aws-appsync/utils';
import { imageKey, objectKeyFor } from '../../api/table.ts';

export function request(ctx: Context<{ input: { contentType: string; sizeBytes: number } }>): DynamoDBPutItemRequest {
  const { imageId, createdAt, fileName } = ctx.stash;
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
      objectKey: objectKeyFor(imageId),
    }),
    condition: { expression: 'attribute_not_exists(pk)' },
  };
}

export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}
