/** Builds the CDK app: the stage from context, one stack, cfn-guard on synth. */
import { Annotations, App, Tags, Validations, type AppProps } from 'aws-cdk-lib/core';
import { defaultLabelingQuotas, labelerMaximumConcurrency, type LabelingQuotas } from '../api/labeling-queue.ts';
import { apiKeyExpiresContextKey, apiKeyExpiryFrom, apiKeyWarningDays, daysUntil } from './api-key-expiry.ts';
import { labelcastGuardValidator } from './guard-policy.ts';
import { LabelcastStack } from './labelcast-stack.ts';
import { checkRekognitionRegion } from './rekognition-regions.ts';
import { ImagePropertiesSetting, imagePropertiesSettingFrom } from '../api/image-properties-setting.ts';
import { apiRateLimitFromContext } from '../api/rate-limit.ts';
import { stageContextKey, stageFrom, type Stage } from './stage.ts';

export interface LabelcastAppProps extends AppProps {
  /**
   * Run the cfn-guard Control Tower rules when synthesizing.
   * @default true
   */
  readonly guard?: boolean;
  /**
   * The clock the API key expiry is checked against.
   * @default new Date()
   */
  readonly now?: Date;
}

export interface LabelcastApp {
  readonly app: App;
  readonly stage: Stage;
  readonly stack: LabelcastStack;
}

/** Stack name per stage, e.g. `labelcast-dev`; `cdk deploy labelcast-prod -c stage=prod`. */
export const stackNameFor = (stage: Stage) => `labelcast-${stage}`;

/** CDK context key for browser origins allowed to upload: `-c allowedOrigins=https://a.example,https://b.example`. */
export const allowedOriginsContextKey = 'allowedOrigins';

function originsFrom(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const origins = (Array.isArray(value) ? value.map(String) : String(value).split(','))
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length === 0) throw new Error(`context ${allowedOriginsContextKey} names no origin`);
  return origins;
}

/**
 * CDK context key for the target region, checked at synth against Rekognition's regions.
 * @default - CDK_DEFAULT_REGION, which the CDK CLI sets from AWS_REGION or the profile
 */
export const regionContextKey = 'region';

/**
 * CDK context keys for the quotas the labeler's ESM concurrency derives from
 * (api/labeling-queue.ts): set them in cdk.json to your account's quotas.
 */
export const labelingQuotaContextKeys = {
  rekognitionTps: 'rekognitionTps',
  lambdaConcurrency: 'lambdaConcurrency',
} as const satisfies Record<keyof LabelingQuotas, string>;

/** The quotas from context (numbers, or strings from `-c key=value`); a bad value stops the synth naming the key. */
export function labelingQuotasFrom(context: (key: string) => unknown): LabelingQuotas {
  const quotas = Object.fromEntries(
    (Object.keys(labelingQuotaContextKeys) as (keyof LabelingQuotas)[]).map((name) => {
      const raw = context(labelingQuotaContextKeys[name]);
      if (raw === undefined) return [name, defaultLabelingQuotas[name]];
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new Error(`context ${labelingQuotaContextKeys[name]} must be a positive number, got ${JSON.stringify(raw)}`);
      }
      return [name, value];
    }),
  ) as unknown as LabelingQuotas;
  labelerMaximumConcurrency(quotas);
  return quotas;
}

export function createLabelcastApp(props: LabelcastAppProps = {}): LabelcastApp {
  const { guard = true, now = new Date(), ...appProps } = props;
  const app = new App(appProps);
  // The stack stays environment-agnostic; the region it will be deployed to is checked here, before anything is built.
  const region: unknown = app.node.tryGetContext(regionContextKey) ?? process.env.CDK_DEFAULT_REGION;
  checkRekognitionRegion(region === undefined ? undefined : String(region));
  const apiKeyExpires = apiKeyExpiryFrom(app.node.tryGetContext(apiKeyExpiresContextKey), now);
  // Validations.addPlugins is the successor of the deprecated AppProps.policyValidationBeta1.
  if (guard) Validations.of(app).addPlugins(labelcastGuardValidator());
  const stage = stageFrom(app.node.tryGetContext(stageContextKey));
  // No env: the stack is environment-agnostic, so synth needs no account or lookups.
  const stack = new LabelcastStack(app, stackNameFor(stage), {
    stage,
    allowedOrigins: originsFrom(app.node.tryGetContext(allowedOriginsContextKey)),
    description: `labelcast (${stage}): real-time image labelling GraphQL API`,
    apiKeyExpires,
    // `-c imageProperties=true` or cdk.json: the labeler asks for IMAGE_PROPERTIES (charged extra).
    imageProperties: imagePropertiesSettingFrom(
      app.node.tryGetContext(ImagePropertiesSetting.contextKey),
      `context ${ImagePropertiesSetting.contextKey}`,
    ),
    labelingQuotas: labelingQuotasFrom((key) => app.node.tryGetContext(key)),
    // `-c apiRateLimit=…`, `-c apiRateLimitWindowSeconds=…` (or those keys added to cdk.json): the WAF rule's limit and
    // window; each unset, api/rate-limit.ts's default.
    apiRateLimit: apiRateLimitFromContext((key) => app.node.tryGetContext(key)),
  });
  const daysLeft = daysUntil(apiKeyExpires, now);
  if (daysLeft < apiKeyWarningDays) {
    Annotations.of(stack).addWarningV2(
      'labelcast:apiKeyExpiry',
      `The API key expires in ${daysLeft} days (${apiKeyExpires.toISOString().slice(0, 10)}): set a later ${apiKeyExpiresContextKey} in cdk.json and deploy (infra/README.md).`,
    );
  }
  Tags.of(stack).add('project', 'labelcast');
  Tags.of(stack).add('stage', stage);
  return { app, stage, stack };
}
