/**
 * A presign Lambda: requestUpload's PUT URLs (presignUpload) or Image.url and
 * Image.thumbnailUrl GET URLs (presignDownload). A presigned URL carries the
 * signer's permissions, so the role may do its one S3 action under its own
 * key prefixes and nothing else.
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ManifestFunction, type FunctionLogProps } from './manifest-function.ts';

export interface ObjectPresignerProps extends FunctionLogProps {
  /** Which presign function of api/manifest.ts. */
  readonly name: 'presignUpload' | 'presignDownload';
  readonly bucket: IBucket;
  /**
   * The one action the URLs grant. Not bucket.grantPut / grantRead: those add
   * s3:PutObjectLegalHold, retention and tagging, or s3:GetBucket* and s3:List*.
   */
  readonly action: 's3:PutObject' | 's3:GetObject';
  /** Key prefixes the URLs may name, e.g. `uploads/`. */
  readonly keyPrefixes: readonly string[];
}

export class ObjectPresigner extends Construct {
  public readonly function: NodejsFunction;

  public constructor(scope: Construct, id: string, props: ObjectPresignerProps) {
    super(scope, id);
    // The function's id is its manifest name capitalised (PresignUpload, PresignDownload), as before.
    const functionId = props.name.charAt(0).toUpperCase() + props.name.slice(1);
    this.function = new ManifestFunction(this, functionId, {
      name: props.name,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { UPLOAD_BUCKET: props.bucket.bucketName },
    }).function;
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [props.action],
        resources: props.keyPrefixes.map((prefix) => props.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
  }
}
