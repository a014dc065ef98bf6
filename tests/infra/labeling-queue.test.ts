/**
 * The labelling queue as synthesized (infra/labeler.ts, from
 * api/labeling-queue.ts): S3 → SQS → the labeler's event source mapping,
 * the dead-letter queue → labeling-failed's, and the roles and policies they need.
 */
import type { CfnElement } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib/core';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { repoRoot } from '../../api/bundle.ts';
import { eventSourceMappings, LabelingQueueSettings } from '../../api/labeling-queue.ts';
import { lambdaFunctions } from '../../api/manifest.ts';
import { scheduledRunsAtOnce } from '../../api/scheduled-runs.ts';
import { queueEventSource } from '../../infra/queue-event-source.ts';
import { MediaLayout } from '../../api/media.ts';
import { Stage } from '../../infra/stage.ts';
import { actionsOf, allPolicyStatements, flatten, resourcesOf, synthStage, synthWithoutBundling } from './synth.ts';

const dev = () => synthStage(Stage.DEV);
const logicalId = (construct: IConstruct) => dev().labelcast.stack.getLogicalId(construct.node.defaultChild as CfnElement);
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const esmActions = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];

// One synthesis for the file (slow on a busy machine): the tests then only read it.
beforeAll(() => void dev(), 180_000);

describe('labelling queue', () => {
  it('receives what S3 creates under the uploads prefix, and nothing invokes the labeler directly', () => {
    // GIVEN
    const { labelcast, template } = dev();

    // THEN
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: MediaLayout.uploadKeyPrefix }] } },
            QueueArn: arnOf(labelcast.stack.labeler.queue),
          },
        ],
      },
    });
    // The reconciler's async settings are the only EventInvokeConfig; the labeler has none (nothing invokes it asynchronously).
    const invokeConfigs = Object.values(resourcesOf(template)).filter((resource) => resource.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(invokeConfigs.map((resource) => flatten(resource.Properties?.FunctionName))).toEqual([flatten({ Ref: logicalId(labelcast.stack.reconciler.function) })]);
    expect(Object.values(resourcesOf(template)).filter((resource) => resource.Type === 'AWS::Lambda::Permission' && flatten(resource.Properties?.Principal) === 's3.amazonaws.com')).toEqual([]);
  });

  it('lets only S3, for this bucket in this account, send to it, and refuses plain HTTP', () => {
    const { labelcast, template } = dev();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(labelcast.stack.labeler.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            // Both keys, as AWS's example for S3 notifications to SQS: a bucket ARN names no account.
            Condition: Match.exact({
              ArnLike: { 'aws:SourceArn': arnOf(labelcast.stack.uploads.bucket) },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            }),
          }),
        ]),
      },
    });
  });

  it('is encrypted, hides a message for 6 × the labeler timeout, and moves it to the dead-letter queue after maxReceiveCount receives', () => {
    const { labelcast, template } = dev();
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * lambdaFunctions.labeler.timeoutSeconds,
      MessageRetentionPeriod: LabelingQueueSettings.retentionSeconds,
      RedrivePolicy: { deadLetterTargetArn: arnOf(labelcast.stack.labeler.deadLetterQueue), maxReceiveCount: LabelingQueueSettings.maxReceiveCount },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * lambdaFunctions.labelingFailed.timeoutSeconds,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: Match.absent(),
    });
    // A throttled message comes back every visibility timeout: at least hours of throttling before the DLQ.
    expect(LabelingQueueSettings.maxReceiveCount * 6 * lambdaFunctions.labeler.timeoutSeconds).toBeGreaterThanOrEqual(2 * 3600);
  });
});

describe('event source mappings', () => {
  it("feed the labeler from the queue in batches, with partial batch responses and the concurrency the default quotas give", () => {
    // The default quotas (5 TPS, 10 concurrent executions): labeling-failed's 2 and the reconciler's 1 leave the labeler 2 of the half.
    const { labelcast, template } = dev();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(labelcast.stack.labeler.function) },
      EventSourceArn: arnOf(labelcast.stack.labeler.queue),
      BatchSize: LabelingQueueSettings.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: Match.absent(),
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(labelcast.stack.labeler.onFailure.function) },
      EventSourceArn: arnOf(labelcast.stack.labeler.deadLetterQueue),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('derive the labeler\'s concurrency from the rekognitionTps and lambdaConcurrency context', { timeout: 240_000 }, () => {
    // WHEN
    const { template } = synthWithoutBundling(Stage.DEV, { rekognitionTps: 50, lambdaConcurrency: 1000 });
    const { template: small } = synthWithoutBundling(Stage.DEV, { rekognitionTps: '0.5', lambdaConcurrency: '10' });
    const { rekognitionTps, lambdaConcurrency } = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
    const { template: asConfigured } = synthWithoutBundling(Stage.DEV, { rekognitionTps, lambdaConcurrency });

    // THEN
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: LabelingQueueSettings.batchSize, ScalingConfig: { MaximumConcurrency: 50 } });
    small.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: LabelingQueueSettings.batchSize, ScalingConfig: { MaximumConcurrency: 2 } });
    // cdk.json's quotas (a new account's 10 concurrent executions): the labeler 2, labeling-failed 2, one reconciler run: 5 of 10.
    asConfigured.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: LabelingQueueSettings.batchSize, ScalingConfig: { MaximumConcurrency: 2 } });
    const mappings = Object.values(resourcesOf(asConfigured)).filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping');
    const byMappings = mappings.reduce((total, resource) => total + (resource.Properties?.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency, 0);
    expect(byMappings + scheduledRunsAtOnce('reconciler')).toBeLessThanOrEqual(Number(lambdaConcurrency) / 2);
    expect(() => synthWithoutBundling(Stage.DEV, { rekognitionTps: 'lots' })).toThrow(/context rekognitionTps must be a positive number, got "lots"/);
    expect(() => synthWithoutBundling(Stage.DEV, { lambdaConcurrency: 8 })).toThrow(/lambdaConcurrency must be at least 10, got 8/);
  });

  it('are created after the role that lets them poll', () => {
    const { labelcast, template } = dev();
    const mappings = Object.values(resourcesOf(template)).filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping') as { DependsOn?: string[] }[];
    const role = logicalId(labelcast.stack.labeler.function.role!);
    expect(mappings).toHaveLength(2);
    expect(mappings.some((mapping) => (mapping.DependsOn ?? []).some((id) => id.startsWith(role)))).toBe(true);
    for (const mapping of mappings) expect((mapping.DependsOn ?? []).some((id) => id.includes('DefaultPolicy'))).toBe(true);
  });
});

describe('concurrency', () => {
  it('reserves no concurrency for any function: the ESM caps the labeler, and a new account\'s pool stays whole', () => {
    const functions = Object.values(resourcesOf(dev().template)).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.filter((resource) => resource.Properties?.ReservedConcurrentExecutions !== undefined)).toEqual([]);
  });

  it('runs one reconciler at a time: no retry by EventBridge or Lambda, and a run Lambda could not start within a minute dropped', () => {
    const { labelcast, template } = dev();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(labelcast.stack.reconciler.function) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: arnOf(labelcast.stack.reconciler.function), RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    // Its timeout is what api/scheduled-runs.ts counts one run from (60 + 10 + 60 + 10 + 160 s fit the 5 minutes).
    expect(resourcesOf(template)[logicalId(labelcast.stack.reconciler.function)]?.Properties?.Timeout).toBe(lambdaFunctions.reconciler.timeoutSeconds);
    expect(scheduledRunsAtOnce('reconciler')).toBe(1);
  });

  it('stops the synth at a mapping CreateEventSourceMapping would refuse: a batch over 10 without a batching window', () => {
    const stack = new Stack(new App(), 'Mapping');
    const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {}') });
    const queue = new Queue(stack, 'Queue');
    const [labeler] = eventSourceMappings();
    expect(() => queueEventSource(stack, 'Eleven', fn, queue, { ...labeler!, batchSize: 11 })).toThrow(
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
    queueEventSource(stack, 'Ten', fn, queue, { ...labeler!, batchSize: 10 });
    queueEventSource(stack, 'Windowed', fn, queue, { ...labeler!, batchSize: 11, maximumBatchingWindowSeconds: 1 });
    const mappings = Object.values(resourcesOf(Template.fromStack(stack))).filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map((resource) => [resource.Properties?.BatchSize, resource.Properties?.MaximumBatchingWindowInSeconds])).toEqual([
      [10, undefined],
      [11, 1],
    ]);
  });
});

describe('roles', () => {
  it('give the ESM\'s sqs actions to the labeler on the queue and to labeling-failed on the dead-letter queue, and to no one else', () => {
    const { labelcast, template } = dev();
    const sqs = allPolicyStatements(template).filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')) && statement.Effect === 'Allow');
    const resources = sqs.map((statement) => ({ actions: [...actionsOf(statement)].sort(), resource: flatten(statement.Resource) }));
    expect(resources).toEqual(
      expect.arrayContaining([
        { actions: esmActions, resource: flatten(arnOf(labelcast.stack.labeler.queue)) },
        { actions: esmActions, resource: flatten(arnOf(labelcast.stack.labeler.deadLetterQueue)) },
      ]),
    );
    expect(resources).toHaveLength(2);
    expect(allPolicyStatements(template).some((statement) => actionsOf(statement).includes('lambda:InvokeFunction') && flatten(statement.Resource).includes('Failed'))).toBe(false);
  });
});
