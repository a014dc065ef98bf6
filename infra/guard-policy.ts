/**
 * cfn-guard (the Control Tower proactive controls) as a synth-time policy
 * check. A rule that does not fit this design is acknowledged on the construct
 * it concerns (and so its children), with the reason, via CDK's
 * Validations.acknowledge: the reason is recorded in the construct metadata.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The cfn-guard rule names this app acknowledges somewhere (see the call sites for why). */
export const GuardRule = {
  appsyncPrivateApi: 'appsync_api_private_visibility_check',
  appsyncApiKeyAuth: 'appsync_authorization_check',
  logGroupRetentionOneYear: 'cloudwatch_log_group_retention_period_check',
  logGroupKmsEncrypted: 'cloudwatch_log_group_encrypted_check',
  dynamoDbPitr: 'dynamodb_table_pitr_enabled_check',
  lambdaInVpc: 'lambda_inside_vpc_check',
  s3KmsEncryption: 's3_bucket_default_encryption_kms_check',
  s3Versioning: 's3_bucket_versioning_enabled_check',
  s3AccessLogging: 's3_bucket_logging_enabled_check',
  s3EventNotifications: 's3_event_notifications_enabled_check',
  s3ObjectLock: 's3_bucket_object_lock_enabled_check',
  sqsDeadLetterQueue: 'sqs_dlq_check',
} as const;
export type GuardRule = (typeof GuardRule)[keyof typeof GuardRule];

/** The plugin's namespace in acknowledgement ids: `cdk-validator-cfnguard::<rule>`. */
const guardPluginName = 'cdk-validator-cfnguard';

export const labelcastGuardValidator = (): CfnGuardValidator => new CfnGuardValidator();

/** Acknowledges one guard rule on a construct and everything under it. */
export function acknowledgeGuardRule(scope: IConstruct, rule: GuardRule, reason: string): void {
  if (reason.trim() === '') throw new Error(`acknowledging ${rule} needs a reason`);
  Validations.of(scope).acknowledge({ id: `${guardPluginName}::${rule}`, reason });
}
