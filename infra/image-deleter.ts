/**
 * The delete-image Lambda behind Mutation.deleteImage: removes an image's
 * upload, kept original and thumbnail, its byLabel entries and its catalog counts, with
 * exactly the permissions functions/delete-image/ uses.
 */
import { type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { UploadLimits } from '../api/limits.ts';
import { MediaLayout } from '../api/media.ts';
import { ManifestFunction, type FunctionLogProps } from './manifest-function.ts';

/**
 * Table actions the delete function performs: DeleteItem (the image, on
 * condition it exists and is the caller's; a catalog counter back at zero),
 * GetItem (after a refused delete, whether the image is someone else's),
 * UpdateItem (ADD -1 on counters), Query (the image's own partition, for its
 * label entries; never the index) and BatchWriteItem (deleting those entries).
 */
export const imageDeleterTableActions = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

export interface ImageDeleterProps extends FunctionLogProps {
  readonly bucket: IBucket;
  readonly table: ITable;
}

export class ImageDeleter extends Construct {
  public readonly function: NodejsFunction;

  public constructor(scope: Construct, id: string, props: ImageDeleterProps) {
    super(scope, id);
    this.function = new ManifestFunction(this, 'DeleteImage', {
      name: 'deleteImage',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: {
        IMAGES_TABLE: props.table.tableName,
        UPLOAD_BUCKET: props.bucket.bucketName,
      },
    }).function;
    // Uploads, kept originals and thumbnails only: not bucket.grantDelete, which covers every key.
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:DeleteObject'],
        resources: [UploadLimits.keyPrefix, MediaLayout.originalKeyPrefix, MediaLayout.thumbnailKeyPrefix].map((prefix) => props.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...imageDeleterTableActions], resources: [props.table.tableArn] }),
    );
  }
}
