/**
 * The bucket browsers upload image bytes to, through presigned PUT URLs.
 *
 * Lifecycle, by prefix (api/limits.ts, api/media.ts), so no tagging is needed:
 * - `uploads/` is a landing zone: the labeler copies a LABELED image's bytes
 *   to `images/` before publishing it, so what is left here is never labelled
 *   (FAILED, or abandoned) and expires after `uploadExpirationDays`. The
 *   reconciler re-drives a PENDING image within minutes, well inside a day.
 * - `images/` (kept originals, Image.url) and `thumbnails/` (Image.thumbnailUrl)
 *   never expire: deleteImage removes them with the image.
 * - Incomplete multipart uploads are aborted after a day.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MediaLayout, uploadBucketCors } from '../api/media.ts';
import { acknowledgeGuardRule, GuardRule } from './guard-policy.ts';

export interface UploadBucketProps {
  /**
   * Origins allowed to PUT uploads from a browser.
   * @default the origins of api/media.ts's uploadBucketCors: ['*'], any origin; the presigned URL is the credential.
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Days an object under the uploads prefix lives before S3 deletes it;
   * labelled images were copied out by then.
   * @default 1
   */
  readonly uploadExpirationDays?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Empty the bucket when it is deleted; needs removalPolicy DESTROY.
   * @default false
   */
  readonly autoDeleteObjects?: boolean;
}

export class UploadBucket extends Construct {
  public readonly bucket: Bucket;

  public constructor(scope: Construct, id: string, props: UploadBucketProps) {
    super(scope, id);
    const uploadExpirationDays = props.uploadExpirationDays ?? 1;
    if (!Number.isInteger(uploadExpirationDays) || uploadExpirationDays < 1) {
      throw new Error(`uploadExpirationDays must be a whole number of days >= 1, got ${uploadExpirationDays}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.autoDeleteObjects && removalPolicy !== RemovalPolicy.DESTROY) {
      throw new Error('autoDeleteObjects needs removalPolicy DESTROY');
    }
    const allowedOrigins = props.allowedOrigins ?? uploadBucketCors.allowedOrigins;
    if (allowedOrigins.length === 0) throw new Error('allowedOrigins must name at least one origin');

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // The one rule of api/media.ts, which the local S3 configures too; only the origins may differ.
      cors: [
        {
          allowedMethods: uploadBucketCors.allowedMethods.map((method) => HttpMethods[method]),
          allowedOrigins: [...allowedOrigins],
          allowedHeaders: [...uploadBucketCors.allowedHeaders],
          exposedHeaders: [...uploadBucketCors.exposedHeaders],
          maxAge: uploadBucketCors.maxAgeSeconds,
        },
      ],
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Only the landing zone: kept originals and thumbnails have no rule at all.
        { id: 'expire-uploads', prefix: MediaLayout.uploadKeyPrefix, expiration: Duration.days(uploadExpirationDays) },
      ],
      removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects ?? false,
    });
    this.acknowledgeGuardRules();
  }

  /** Control Tower bucket rules that conflict with a bucket of short-lived uploads. */
  private acknowledgeGuardRules(): void {
    const rules: [GuardRule, string][] = [
      [
        GuardRule.s3KmsEncryption,
        'SSE-S3 encrypts at rest; SSE-KMS would make every presigned browser PUT and every Rekognition read need kms permissions and KMS request quota, for transient objects.',
      ],
      [
        GuardRule.s3Versioning,
        'Objects are written once under a fresh key, and uploads expire; noncurrent versions would only keep deleted images around.',
      ],
      [GuardRule.s3ObjectLock, 'Uploads must expire (see the lifecycle rule) and deleteImage must remove an image\'s bytes; object lock forbids exactly that.'],
      [
        GuardRule.s3AccessLogging,
        'Writes are only possible with a presigned URL the API issued and recorded; a second, never-expiring log bucket is not worth it here. Use CloudTrail S3 data events where an audit trail is required.',
      ],
      [
        GuardRule.s3EventNotifications,
        'Notifications are configured, through CDK\'s Custom::S3BucketNotifications (which avoids a bucket/function dependency cycle), so the rule cannot see them on the bucket resource.',
      ],
    ];
    rules.forEach(([rule, reason]) => acknowledgeGuardRule(this.bucket, rule, reason));
  }
}
