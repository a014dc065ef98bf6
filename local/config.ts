/**
 * Settings of the offline stack, from the environment:
 * - LABELCAST_STATE_DIR: where all state lives (default `.labelcast` in the repo).
 * - LABELCAST_PORT: first of six consecutive ports (default 4750); 0 picks free ports.
 * - LABELCAST_OUTPUTS: where amplify_outputs.json is written (default the repo root).
 * - LABELCAST_EXTRA_S3_DELIVERIES: test hook, not AWS: deliver every S3 event this many more
 *   times, concurrently, to exercise at-least-once delivery (default 0).
 * - LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS: test hook, not AWS: a shorter deadline for each
 *   completion-callback attempt (100 to 5000 ms; default 5000 as on AWS), so tests of a slow
 *   receiver stay short. Given to the functions as CALLBACK_ATTEMPT_DEADLINE_MS.
 * - LABELCAST_STAGE: `dev` (default) or `prod`; picks the API limits of api/limits.ts
 *   (prod: introspection off), as `cdk synth -c stage=` does on AWS.
 * - LABELCAST_IMAGE_PROPERTIES: `true` or `false`: the labeler also asks for IMAGE_PROPERTIES and stores
 *   Image.properties, as `-c imageProperties=true` does on AWS; unset, the `imageProperties` context of
 *   cdk.json decides, and without one it is off (api/image-properties-setting.ts).
 * - LABELCAST_API_RATE_LIMIT, LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS: the API's request-rate limit per client address
 *   (api/rate-limit.ts), as the WAF rule infra/ deploys applies it: the requests one address may make in the trailing
 *   window (10 to 2,000,000,000) and the window (60, 120, 300 or 600 s). Each unset: the cdk.json context
 *   `apiRateLimit` / `apiRateLimitWindowSeconds` when one is given (cdk.json has none by default), else the
 *   declaration's default (ApiRateLimitSetting.defaults).
 * - LABELCAST_RESOLVERS_DIR: test hook, not AWS: read the manifest's `resolvers/…` code files
 *   from this folder instead of the repo's resolvers/ (default unset).
 * - LABELCAST_REKOGNITION_TPS: the local Rekognition's per-operation TPS quota, as Rekognition's
 *   per-account quota (a positive number, fractions allowed, e.g. 0.5); calls above it are
 *   answered ThrottlingException. The labeler's queue concurrency derives from it as on AWS
 *   (api/labeling-queue.ts), with the default Lambda quota of 10, whose background half leaves the
 *   labeler 2 whatever the TPS; a TPS under 2 is kept by throttling the labeler waits out. Unset: no
 *   quota, and the concurrency of the default quotas (2).
 * - LABELCAST_VISION_ENGINE_SOCKET: test hook, not AWS: the local socket of a vision engine host
 *   (local/rekognition/engine-connection.ts) whose engine the local Rekognition uses instead of loading
 *   the models in a worker of its own; a leading `@` stands for Linux's abstract namespace. The e2e
 *   stacks of a test run share one, the unit tests' (tests/support/local-stack-setup.ts). Unset (default): an
 *   engine of its own.
 *
 * A bad value stops the start with one line naming the variable (LocalConfigError).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import { ImagePropertiesSetting, imagePropertiesSettingFrom } from '../api/image-properties-setting.ts';
import { CallbackSettings } from '../api/callback.ts';
import { ApiLimits, type ApiStage } from '../api/limits.ts';
import { apiRateLimitFrom, ApiRateLimitSetting, ApiRateLimitSettingError, type ApiRateLimitRule } from '../api/rate-limit.ts';
import { TpsQuotaError } from './rekognition/errors.ts';
import { tpsQuotaFromEnv } from './rekognition/tps-quota.ts';
import { socketFromSetting } from './rekognition/engine-socket-name.ts';

/** A LABELCAST_* variable with a value the stack cannot start with; main.ts prints its message alone. */
export class LocalConfigError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalConfigError';
  }
}

export interface LocalStackConfig {
  readonly stateDir: string;
  readonly host: '127.0.0.1';
  readonly ports: {
    readonly appsync: number;
    readonly s3: number;
    readonly dynamodb: number;
    readonly rekognition: number;
    /** The web gallery's static HTTPS server. */
    readonly gallery: number;
    /** The Lambda API (Invoke). */
    readonly lambda: number;
  };
  readonly region: string;
  readonly bucketName: string;
  readonly tableName: string;
  readonly outputsPath: string;
  /** Extra concurrent deliveries of every S3 event (S3 delivers at least once). */
  readonly extraS3Deliveries: number;
  /** The API's rate-based rule per client address, which the local AppSync applies as AWS WAF does. */
  readonly apiRateLimit: ApiRateLimitRule;
  /** Which stage's API limits the local AppSync applies. */
  readonly stage: ApiStage;
  /** Folder the manifest's `resolvers/…` files are read from, when not the repo's (a test hook). */
  readonly resolversDir?: string;
  /** Whether the labeler requests IMAGE_PROPERTIES (Image.properties). */
  readonly imageProperties: boolean;
  /** Deadline of each completion-callback attempt, when a test lowers it; the functions' default otherwise. */
  readonly callbackAttemptDeadlineMs?: number;
  /** The local Rekognition's per-operation TPS quota; none when undefined. */
  readonly rekognitionTps?: number;
  /** A vision engine host's socket (LABELCAST_VISION_ENGINE_SOCKET, a test hook) whose engine Rekognition uses; unset: its own. */
  readonly visionEngineSocket?: string;
}

function rekognitionTpsFromEnv(value: string | undefined): number | undefined {
  try {
    return tpsQuotaFromEnv(value);
  } catch (error) {
    if (error instanceof TpsQuotaError) throw new LocalConfigError(error.message, { cause: error });
    throw error;
  }
}

function callbackAttemptDeadlineFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (Number.isInteger(ms) && ms >= CallbackSettings.minAttemptDeadlineMs && ms <= CallbackSettings.attemptDeadlineMs) return ms;
  throw new LocalConfigError(
    `LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS must be an integer from ${CallbackSettings.minAttemptDeadlineMs} to ${CallbackSettings.attemptDeadlineMs}, got ${value}`,
  );
}

function stageFromEnv(value: string | undefined): ApiStage {
  if (value === undefined || value === '') return 'dev';
  if (Object.hasOwn(ApiLimits, value)) return value as ApiStage;
  throw new LocalConfigError(`LABELCAST_STAGE must be one of ${Object.keys(ApiLimits).join(', ')}, got ${value}`);
}

/** The `context` of cdk.json, which the deployed stack reads its settings from (configFromEnv's default). */
export type CdkContext = () => Readonly<Record<string, unknown>>;

const cdkJsonContext: CdkContext = () =>
  (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};

/** The variable when set, else the cdk.json context the deployed stack reads, so both worlds share one setting. */
function imagePropertiesFromEnv(value: string | undefined, cdkContext: CdkContext): boolean {
  if (value !== undefined && value !== '') return imagePropertiesSettingFrom(value, ImagePropertiesSetting.offlineVariable);
  return imagePropertiesSettingFrom(cdkContext()[ImagePropertiesSetting.contextKey], `cdk.json context ${ImagePropertiesSetting.contextKey}`);
}

/** Each of the rule's two settings from its variable when set, else from the cdk.json context the deployed stack reads. */
function apiRateLimitFromEnv(env: NodeJS.ProcessEnv, cdkContext: CdkContext): ApiRateLimitRule {
  const { offlineVariables: variables, contextKeys: keys } = ApiRateLimitSetting;
  const context = cdkContext();
  const pick = (name: keyof typeof variables) => {
    const value = env[variables[name]];
    return value !== undefined && value !== '' ? { value, source: variables[name] } : { value: context[keys[name]], source: `cdk.json context ${keys[name]}` };
  };
  const limit = pick('limit');
  const windowSeconds = pick('windowSeconds');
  try {
    return apiRateLimitFrom({ limit: limit.value, windowSeconds: windowSeconds.value }, { limit: limit.source, windowSeconds: windowSeconds.source });
  } catch (error) {
    if (error instanceof ApiRateLimitSettingError) throw new LocalConfigError(error.message, { cause: error });
    throw error;
  }
}

export const defaultBasePort = 4750;

/** `cdkContext`: where the settings the deployed stack reads come from when no variable is set; tests give their own. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, readCdkContext: CdkContext = cdkJsonContext): LocalStackConfig {
  // Read once, and only if a setting falls back to it: two settings may.
  let context: Readonly<Record<string, unknown>> | undefined;
  const cdkContext: CdkContext = () => (context ??= readCdkContext());
  const base = env.LABELCAST_PORT === undefined ? defaultBasePort : Number(env.LABELCAST_PORT);
  if (!Number.isInteger(base) || base < 0 || base > 65530) {
    throw new LocalConfigError(`LABELCAST_PORT must be a port number, got ${env.LABELCAST_PORT}`);
  }
  const extraDeliveries = Number(env.LABELCAST_EXTRA_S3_DELIVERIES ?? 0);
  if (!Number.isInteger(extraDeliveries) || extraDeliveries < 0 || extraDeliveries > 10) {
    throw new LocalConfigError(`LABELCAST_EXTRA_S3_DELIVERIES must be 0 to 10, got ${env.LABELCAST_EXTRA_S3_DELIVERIES}`);
  }
  const port = (offset: number) => (base === 0 ? 0 : base + offset);
  return {
    stateDir: path.resolve(env.LABELCAST_STATE_DIR ?? path.join(repoRoot, '.labelcast')),
    host: '127.0.0.1',
    ports: { appsync: port(0), s3: port(1), dynamodb: port(2), rekognition: port(3), gallery: port(4), lambda: port(5) },
    region: 'us-east-1',
    bucketName: 'labelcast-uploads',
    tableName: 'labelcast-images',
    outputsPath: path.resolve(env.LABELCAST_OUTPUTS ?? path.join(repoRoot, 'amplify_outputs.json')),
    extraS3Deliveries: extraDeliveries,
    stage: stageFromEnv(env.LABELCAST_STAGE),
    apiRateLimit: apiRateLimitFromEnv(env, cdkContext),
    ...(env.LABELCAST_RESOLVERS_DIR ? { resolversDir: path.resolve(env.LABELCAST_RESOLVERS_DIR) } : {}),
    callbackAttemptDeadlineMs: callbackAttemptDeadlineFromEnv(env.LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS),
    imageProperties: imagePropertiesFromEnv(env[ImagePropertiesSetting.offlineVariable], cdkContext),
    rekognitionTps: rekognitionTpsFromEnv(env.LABELCAST_REKOGNITION_TPS),
    ...(env.LABELCAST_VISION_ENGINE_SOCKET ? { visionEngineSocket: socketFromSetting(env.LABELCAST_VISION_ENGINE_SOCKET) } : {}),
  };
}
