/**
 * A presign Lambda: requestUpload's PUT URLs (presignUpload) or Image.url and
 * Image.thumbnailUrl GET URLs (presignDownload). A presigned URL carries the
 * signer's permissions, so the role may do its one S3 action under its own
 * key prefixes and nothing else (declared in api/access.ts).
 */
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ManifestFunction, type FunctionLogProps } from './manifest-function.ts';

export interface ObjectPresignerProps extends FunctionLogProps {
  /** Which presign function of api/manifest.ts. */
  readonly name: 'presignUpload' | 'presignDownload';
  readonly bucket: IBucket;
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
      targets: { bucket: props.bucket },
    }).function;
  }
}
