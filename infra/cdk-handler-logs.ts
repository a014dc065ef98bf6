/**
 * Stack-owned log groups for the Lambda functions CDK adds on its own: the S3
 * auto-delete-objects custom resource provider (dev) and the bucket
 * notifications handler. aws-cdk-lib builds both as raw `AWS::Lambda::Function`
 * CfnResources with no logging option (CustomResourceProviderOptions has none),
 * so Lambda creates `/aws/lambda/<name>` on their first run: no expiry, not in
 * the stack, left behind by `cdk destroy`. Here each gets a LogGroup with the
 * stage's retention and removal policy, named in its `LoggingConfig.LogGroup`
 * (their roles' AWSLambdaBasicExecutionRole may write to any group). The
 * function depends on its group, so CloudFormation deletes the group only after
 * the function's last run (the custom resources' Delete).
 *
 * Call it once every function exists (the end of the stack's constructor);
 * tests/infra/stack.test.ts checks that every function in the template logs to
 * a group the stack owns.
 */
import { CfnResource, type RemovalPolicy, type Stack } from 'aws-cdk-lib/core';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface CdkHandlerLogsProps {
  readonly retention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** Gives each Lambda function in `stack` that names no log group one the stack owns; returns the groups added. */
export function ownCdkHandlerLogGroups(stack: Stack, props: CdkHandlerLogsProps): LogGroup[] {
  const added: LogGroup[] = [];
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof CfnResource) || construct.cfnResourceType !== CfnFunction.CFN_RESOURCE_TYPE_NAME) continue;
    // Our functions (ManifestFunction) pass their own logGroup; a raw CfnResource's properties cannot be read, and CDK's have none.
    if (construct instanceof CfnFunction && construct.loggingConfig !== undefined) continue;
    const scope = construct.node.scope;
    if (!scope) continue;
    const logGroup = new LogGroup(scope, `${construct.node.id}Logs`, {
      retention: props.retention,
      removalPolicy: props.removalPolicy,
    });
    construct.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
    added.push(logGroup);
  }
  return added;
}
