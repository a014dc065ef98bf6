/**
 * What makes sure no image stays PENDING on AWS:
 * - LabelingFailed: fed by the labelling queue's dead-letter queue through an
 *   event source mapping (api/labeling-queue.ts); marks the dead letters'
 *   images FAILED and publishes them (functions/labeling-failed/).
 * - Reconciler: on an EventBridge schedule, re-drives PENDING images whose
 *   object exists (an in-place copy fires ObjectCreated:Copy) and fails
 *   tickets whose upload URL expired unused, and finishes ended images left
 *   unpushed or unindexed (functions/reconciler/); never re-drives an image
 *   whose event may still be in the labelling queue.
 * Both roles and environments are derived from api/access.ts.
 */
import { Duration } from 'aws-cdk-lib/core';
import { type GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueName, type EventSourceMappingSpec } from '../api/labeling-queue.ts';
import { lambdaFunctions } from '../api/manifest.ts';
import { ScheduleDelivery } from '../api/scheduled-runs.ts';
import { queueEventSource } from './queue-event-source.ts';
import { ManifestFunction, type FunctionLogProps } from './manifest-function.ts';

interface EndsImagesProps extends FunctionLogProps {
  readonly table: ITable;
  readonly api: GraphqlApi;
  readonly callbackSecret: ISecret;
}

export interface LabelingFailedProps extends EndsImagesProps {
  /** The labelling queue's dead-letter queue, which feeds it. */
  readonly deadLetterQueue: IQueue;
  /** Its mapping from that queue (api/labeling-queue.ts). */
  readonly eventSource: EventSourceMappingSpec;
}

export class LabelingFailed extends Construct {
  public readonly function: NodejsFunction;
  public readonly eventSource: EventSourceMapping;

  public constructor(scope: Construct, id: string, props: LabelingFailedProps) {
    super(scope, id);
    this.function = new ManifestFunction(this, 'Function', {
      name: 'labelingFailed',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      targets: {
        table: props.table,
        api: props.api,
        callbackSecret: props.callbackSecret,
        queues: { [QueueName.labelingDeadLetters]: props.deadLetterQueue },
      },
    }).function;
    this.eventSource = queueEventSource(this, 'FromDeadLetters', this.function, props.deadLetterQueue, props.eventSource);
  }
}

export interface ReconcilerProps extends EndsImagesProps {
  readonly bucket: IBucket;
}

export class Reconciler extends Construct {
  public readonly function: NodejsFunction;
  public readonly schedule: Rule;

  public constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    this.function = new ManifestFunction(this, 'Function', {
      name: 'reconciler',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      // No reserved concurrency: it would take from the account's pool (10 on new accounts, where
      // deploy then fails). Its timeout and async settings keep one run at a time instead (below); were two
      // to overlap, that is safe: a re-drive only makes the labeler see a duplicate event, which its
      // conditional write ignores, and failing a ticket is a conditional update.
      targets: { bucket: props.bucket, table: props.table, api: props.api, callbackSecret: props.callbackSecret },
    }).function;
    // One run at a time, so it counts once against the account's concurrency (api/scheduled-runs.ts): a late
    // event is dropped, not run beside the next period's, and neither EventBridge nor Lambda retries one.
    const { retryAttempts, maxEventAgeSeconds } = lambdaFunctions.reconciler.asyncInvoke;
    this.function.configureAsyncInvoke({ retryAttempts, maxEventAge: Duration.seconds(maxEventAgeSeconds) });
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the labelcast reconciler',
      schedule: Schedule.rate(Duration.minutes(lambdaFunctions.reconciler.scheduleMinutes)),
      targets: [new LambdaFunction(this.function, { retryAttempts: ScheduleDelivery.targetRetryAttempts })],
    });
  }
}
