/**
 * The delete-image Lambda behind Mutation.deleteImage: removes an image's
 * upload, kept original and thumbnail, its byLabel entries and its catalog
 * counts, with exactly the access api/access.ts declares for it.
 */
import { type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ManifestFunction, type FunctionLogProps } from './manifest-function.ts';

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
      targets: { bucket: props.bucket, table: props.table },
    }).function;
  }
}
