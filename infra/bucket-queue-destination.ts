/**
 * An S3 event notification destination that is an SQS queue, like CDK's
 * SqsDestination, with the queue policy AWS's example gives ("Granting
 * permissions to publish event notification messages to a destination", S3
 * User Guide): s3.amazonaws.com may send only for this bucket (aws:SourceArn)
 * and only when the bucket belongs to this account (aws:SourceAccount).
 * SqsDestination conditions on aws:SourceArn alone; a bucket ARN names no
 * account, so a bucket of the same name in another account (after this one is
 * deleted) would match it.
 *
 * For a queue without a customer-managed KMS key (SqsDestination would also
 * grant S3 the key); the constructor refuses one.
 */
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BucketNotificationDestinationType,
  type BucketNotificationDestinationConfig,
  type IBucketNotificationDestination,
  type IBucketRef,
} from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export class BucketQueueDestination implements IBucketNotificationDestination {
  public constructor(private readonly queue: IQueue) {
    if (queue.encryptionMasterKey) throw new Error('BucketQueueDestination: the queue has a KMS key S3 would need a grant on; use SQS-managed encryption');
  }

  public bind(_scope: Construct, bucket: IBucketRef): BucketNotificationDestinationConfig {
    const { statementAdded } = this.queue.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        // What SqsDestination grants (queue.grantSendMessages).
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': bucket.bucketRef.bucketArn },
          StringEquals: { 'aws:SourceAccount': bucket.env.account },
        },
      }),
    );
    // An imported queue takes no policy statement: S3 would then be refused when the deploy sets notifications.
    if (!statementAdded) throw new Error('BucketQueueDestination: the queue takes no resource policy (an imported queue?); S3 could not send to it');
    // The queue and its policy exist before S3 is told about them (S3 checks it may send when notifications are set).
    return { arn: this.queue.queueArn, type: BucketNotificationDestinationType.QUEUE, dependencies: [this.queue] };
  }
}
