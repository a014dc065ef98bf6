/**
 * The presign Lambda behind Image.url and Image.thumbnailUrl. A presigned URL
 * carries the signer's permissions, so the role may GetObject under the
 * kept-originals and thumbnails prefixes and nothing else (not uploads).
 */
import { type RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { readableKeyPrefixes } from '../api/media.ts';
import { ManifestFunction } from './manifest-function.ts';

export interface PresignDownloadProps {
  readonly bucket: IBucket;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** For the log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class PresignDownload extends Construct {
  public readonly function: NodejsFunction;

  public constructor(scope: Construct, id: string, props: PresignDownloadProps) {
    super(scope, id);
    this.function = new ManifestFunction(this, 'PresignDownload', {
      name: 'presignDownload',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { UPLOAD_BUCKET: props.bucket.bucketName, POWERTOOLS_SERVICE_NAME: 'presign-download' },
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
