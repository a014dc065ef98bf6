/**
 * The presign Lambda behind requestUpload's second pipeline step. A presigned
 * URL carries the signer's permissions, so the role may PutObject under the
 * uploads prefix and nothing else.
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { UploadLimits } from '../api/limits.ts';
import { ManifestFunction, type FunctionLogProps } from './manifest-function.ts';

export interface PresignUploadProps extends FunctionLogProps {
  readonly bucket: IBucket;
}

export class PresignUpload extends Construct {
  public readonly function: NodejsFunction;

  public constructor(scope: Construct, id: string, props: PresignUploadProps) {
    super(scope, id);
    this.function = new ManifestFunction(this, 'PresignUpload', {
      name: 'presignUpload',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { UPLOAD_BUCKET: props.bucket.bucketName },
    }).function;
    // Not bucket.grantPut: that adds s3:PutObjectLegalHold, PutObjectRetention, tagging and more.
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:PutObject'],
        resources: [props.bucket.arnForObjects(`${UploadLimits.keyPrefix}*`)],
      }),
    );
  }
}
