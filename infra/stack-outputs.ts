/**
 * The stack's CloudFormation outputs. Their names are what
 * outputs-to-amplify.ts reads from `cdk deploy --outputs-file`.
 */
import { Aws, CfnOutput, type Stack } from 'aws-cdk-lib/core';

/** Output logical IDs, fixed (created on the stack itself, so no hash suffix). */
export const StackOutput = {
  graphqlUrl: 'GraphqlUrl',
  apiKey: 'ApiKey',
  region: 'Region',
  userPoolId: 'UserPoolId',
  userPoolClientId: 'UserPoolClientId',
  uploadBucketName: 'UploadBucketName',
  imagesTableName: 'ImagesTableName',
  labelerDeadLetterQueueUrl: 'LabelerDeadLetterQueueUrl',
} as const;
export type StackOutputName = (typeof StackOutput)[keyof typeof StackOutput];

export interface StackOutputValues {
  readonly graphqlUrl: string;
  readonly apiKey: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly uploadBucketName: string;
  readonly imagesTableName: string;
  readonly labelerDeadLetterQueueUrl: string;
}

const descriptions: Record<keyof typeof StackOutput, string> = {
  graphqlUrl: 'AppSync GraphQL endpoint',
  // A CloudFormation output is readable by anyone who can describe the stack: fine for a
  // public client key, but for real production keep it in Secrets Manager or SSM instead.
  apiKey: 'AppSync API key (default auth mode)',
  region: 'Region the stack is deployed to',
  userPoolId: 'Cognito user pool for AMAZON_COGNITO_USER_POOLS auth',
  userPoolClientId: 'Cognito app client (public, SRP)',
  uploadBucketName: 'Bucket presigned uploads land in',
  imagesTableName: 'DynamoDB table of images and labels',
  labelerDeadLetterQueueUrl: 'Labeler events that failed after all retries',
};

export function addStackOutputs(stack: Stack, values: StackOutputValues): void {
  const all: Record<keyof typeof StackOutput, string> = { ...values, region: Aws.REGION };
  for (const key of Object.keys(StackOutput) as (keyof typeof StackOutput)[]) {
    new CfnOutput(stack, StackOutput[key], { value: all[key], description: descriptions[key] });
  }
}
