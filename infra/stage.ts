/**
 * Deployment stages. `dev` is disposable: `cdk destroy` removes every
 * resource and object. `prod` keeps its data when the stack goes away.
 */
import { RemovalPolicy } from 'aws-cdk-lib/core';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const Stage = { DEV: 'dev', PROD: 'prod' } as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

/** CDK context key that selects the stage: `cdk synth -c stage=prod`. */
export const stageContextKey = 'stage';

/** Parses the `stage` context value; undefined means dev. */
export function stageFrom(value: unknown): Stage {
  if (value === undefined) return Stage.DEV;
  if (value === Stage.DEV || value === Stage.PROD) return value;
  throw new Error(`context ${stageContextKey} must be "${Stage.DEV}" or "${Stage.PROD}", got ${JSON.stringify(value)}`);
}

/** What differs between stages, in one place. */
export interface StageSettings {
  /** For every stateful resource: the bucket, the table, the user pool, log groups, the DLQ. */
  readonly removalPolicy: RemovalPolicy;
  /** Empty the bucket on delete (a custom resource), so DESTROY can succeed. */
  readonly autoDeleteObjects: boolean;
  readonly pointInTimeRecovery: boolean;
  readonly logRetention: RetentionDays;
}

export function stageSettings(stage: Stage): StageSettings {
  return stage === Stage.PROD
    ? {
        removalPolicy: RemovalPolicy.RETAIN,
        autoDeleteObjects: false,
        pointInTimeRecovery: true,
        // A year, as the Control Tower log retention control asks.
        logRetention: RetentionDays.ONE_YEAR,
      }
    : {
        removalPolicy: RemovalPolicy.DESTROY,
        autoDeleteObjects: true,
        pointInTimeRecovery: false,
        logRetention: RetentionDays.ONE_WEEK,
      };
}
