/**
 * The presign Lambda behind Image.url and Image.thumbnailUrl. A presigned URL
 * carries the signer's permissions, so the role may GetObject under the
 * kept-originals and thumbnails prefixes and nothing else (not uploads).
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { readableKeyPrefixes } from '../api/media.ts';
import { ManifestFunction, type FunctionLogProps } from './manifest-function.ts';

export interface PresignDownloadProps extends FunctionLogProps {
  readonly bucket: IBucket;
}

export class PresignDownload extends Construct {
  public readonly function: NodejsFunction;

  public constructor(scope: Construct, id: string, props: PresignDownloadProps) {
    super(scope, id);
    this.function = new ManifestFunction(this, 'PresignDownload', {
      name: 'presignDownload',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { UPLOAD_BUCKET: props.bucket.bucketName },
    }).function;
    // Not bucket.grantRead: that adds s3:GetBucket* and s3:List* on the whole bucket.
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: readableKeyPrefixes.map((prefix) => props.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
  }
}
