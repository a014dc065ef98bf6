/**
 * Starts the whole offline stack and wires it as the CDK stack wires AWS:
 * S3 ObjectCreated → the labelling queue → its event source mapping → labeler
 * Lambda (batches, partial batch responses, at most the concurrency the
 * Rekognition TPS quota gives) → Rekognition and DynamoDB → IAM-signed
 * publishImageLabeled on AppSync → subscribers; a message past its
 * maxReceiveCount → the dead-letter queue → labeling-failed (all declared in
 * api/labeling-queue.ts); the reconciler at start (unless this start created the
 * images table, so it holds nothing from before) and on its schedule.
 */
import path from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import { AppSyncJsCheckError } from '../api/appsync-js-check.ts';
import { SchemaRuleError } from '../api/schema-defaults.ts';
import { EnvironmentSource, needsSource } from '../api/access.ts';
import { configuredEnvironment } from '../api/function-environment.ts';
import { imagePropertiesVariableValue } from '../api/image-properties-setting.ts';
import { defaultLabelingQuotas, QueueName, type LabelingQuotas } from '../api/labeling-queue.ts';
import { fields, lambdaFunctions, type LambdaFunctionName } from '../api/manifest.ts';
import { CallbackSettings, CallbackUrlPolicy } from '../api/callback.ts';
import { ImagesTableLayout } from '../api/table.ts';
import { MediaLayout, uploadBucketCors } from '../api/media.ts';
import { ApiLimits, UploadLimits } from '../api/limits.ts';
import { amplifyOutputs, writeAmplifyOutputs, type AmplifyOutputs, type WrittenOutputs } from './amplify-outputs.ts';
import { ResolverCodeError } from './appsync/errors.ts';
import { startLocalAppSync } from './appsync/index.ts';
import { loadOrCreateTls } from './appsync/tls/certificates.ts';
import { createResolverRuntime } from './appsync/resolvers/index.ts';
import { cachedResolverBundles } from './appsync/resolvers/bundle-cache.ts';
import { codeFilesOf, createCodeLoader, preloadCode } from './appsync/resolvers/code-loader.ts';
import { useRuntimeSource } from './appsync/resolvers/sandbox.ts';
import type { LocalStackConfig } from './config.ts';
import { ensureImagesTable, startLocalDynamoDb } from './dynamodb/index.ts';
import { galleryDist } from './gallery/build.ts';
import { startGalleryServer } from './gallery/server.ts';
import { credentialStore, type LocalCredentials } from './iam/credentials.ts';
import { localIdentities } from './iam/function-roles.ts';
import { principalFor } from './iam/principals.ts';
import { startLocalLambdaApi } from './lambda/api.ts';
import { startLocalQueues, type LocalQueues } from './lambda/queues.ts';
import { FunctionConfigurationError } from './lambda/errors.ts';
import { startLambdaRuntime, type FunctionEnvironment, type FunctionErrorReport } from './lambda/runtime.ts';
import { scheduledEvent } from './lambda/scheduled-event.ts';
import { nextWholeSecond, startupReconcileEvent } from './reconcile-at-start.ts';
import { visionEngineAtHost } from './rekognition/engine-connection.ts';
import { startLocalRekognition } from './rekognition/index.ts';
import { startLocalS3 } from './s3/index.ts';
import { PortInUseError } from './listen.ts';
import { loadStateFiles, type StateFiles } from './state-files.ts';
import { StateFileError, stateSubdir } from './state-dir.ts';

export interface LocalStack {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly apiKey: string;
  readonly caPath: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
  readonly endpoints: { readonly s3: string; readonly dynamodb: string; readonly rekognition: string; readonly lambda: string };
  readonly bucketName: string;
  readonly tableName: string;
  readonly outputs: AmplifyOutputs;
  /** Where amplify_outputs.json went: the configured file, or the state dir when that file is a deployed stack's. */
  readonly outputsFile: WrittenOutputs;
  /** The web gallery (client-example/web, built by main.ts), configured for this stack. */
  readonly galleryUrl: string;
  close(): Promise<void>;
}

/** Stops what has started so far, newest first, when a later step fails. */
class Closers {
  private readonly closers: (() => Promise<void>)[] = [];
  public add(close: () => Promise<void>): void {
    this.closers.unshift(close);
  }
  public async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
  }
}

/** Who hears what the stack does while it runs (npm start prints it: local/activity-log.ts). */
export interface StackObservers {
  /** Each publishImageLabeled: an image that ended LABELED or FAILED, as its subscribers get it. */
  readonly onImageEnded?: (image: unknown) => void;
  /** Each failed function invocation, with its log file. */
  readonly onFunctionError?: (report: FunctionErrorReport) => void;
}

/**
 * What stops a start with its message alone, no stack trace (main.ts): code, schema or state AppSync (or the stack)
 * would refuse, a function Lambda would not create, a port in use, or several of them.
 */
export const isStartRefusal = (error: unknown): boolean =>
  error instanceof StateFileError ||
  error instanceof AppSyncJsCheckError ||
  error instanceof ResolverCodeError ||
  error instanceof SchemaRuleError ||
  error instanceof PortInUseError ||
  error instanceof FunctionConfigurationError ||
  (error instanceof AggregateError && error.errors.every(isStartRefusal));

/** One refusal as npm start prints it: its message, which says it all, and for a function Lambda would not create, which one and Lambda's error code. */
export const startRefusalLine = (refusal: Error): string =>
  refusal instanceof FunctionConfigurationError ? `Lambda function ${refusal.functionName}: ${refusal.name}: ${refusal.message}` : refusal.message;

/**
 * Starts every service. `stateFiles` are those main.ts read before it loaded this module (state-files.ts); read
 * here when not given.
 */
export async function startLocalStack(config: LocalStackConfig, observers: StackObservers = {}, stateFiles?: StateFiles): Promise<LocalStack> {
  // The state files first (cheap reads): a damaged one stops the start before the resolvers are bundled and the
  // services (the vision engine's models among them) start.
  const { credentials, secrets, userPool, userPoolUsers, dynamoDbDataDir } = stateFiles ?? (await loadStateFiles(config));
  // Every resolver is bundled, checked against the APPSYNC_JS rules and loaded before anything starts: code that
  // `cdk deploy` would be refused stops the start, naming file, line and rule. The bundles are also what each
  // DynamoDB data source's role is derived from, as infra/ derives it at synth.
  // A start with unchanged resolvers takes their bundles (and the sandbox's runtime) from the bundle cache instead of
  // running esbuild (bundle-cache.ts); resolvers read from LABELCAST_RESOLVERS_DIR (a test hook) are bundled each time.
  const prebundled = config.resolversDir ? undefined : await cachedResolverBundles(codeFilesOf(fields));
  if (prebundled) useRuntimeSource(prebundled.runtimeSource);
  const resolverCode = createCodeLoader({ resolversDir: config.resolversDir, bundles: prebundled?.bundles });
  try {
    preloadCode(resolverCode, fields);
  } finally {
    // Without kept bundles (LABELCAST_RESOLVERS_DIR, a cache that cannot be written, a file that does not bundle) the
    // loader bundled each file with buildSync, under esbuild's worker thread and its service process; nothing bundles
    // after the preload, so both end here. The thread's service exits but stays a zombie entry (no memory) until the
    // stack exits: only the thread's event loop reaped what it started. A kept build stopped its own (bundle-cache.ts).
    // stop() is process-wide: an esbuild build of another caller in this process still running would fail. Stacks
    // start one at a time in a process (tests start theirs in turn), and nothing else here bundles.
    await stopEsbuild();
  }
  // Every key pair the AWS services accept, with what each may do: credentials.json is the administrator; each
  // function has fresh keys (memory only) bound to its role, derived from api/access.ts as infra/ derives it;
  // each DynamoDB data source of the local AppSync likewise, its role derived from its resolvers' bundles.
  const {
    directory: store,
    functionCredentials,
    dataSourceCredentials,
  } = localIdentities(credentials, { region: config.region, bucketName: config.bucketName, tableName: config.tableName }, (file) =>
    resolverCode.bundleText(file),
  );
  // The admin identity alone, for the stack's own endpoints (token minting, test hooks), whatever keys `store` admits.
  const admin = credentialStore(credentials);
  const closers = new Closers();
  const state = (name: string) => stateSubdir(config.stateDir, name);

  try {
    const dynamodb = await startLocalDynamoDb({
      dataDir: dynamoDbDataDir,
      port: config.ports.dynamodb,
      host: config.host,
      region: config.region,
      credentials: store,
      admin,
    });
    closers.add(() => dynamodb.close());
    const imagesTable = await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName: config.tableName, region: config.region, credentials, dataDir: dynamoDbDataDir.path });

    // One certificate for every endpoint a browser reaches (AppSync loads the same): a browser that trusts the
    // local CA trusts the gallery, AppSync and S3, and the HTTPS gallery loads no image over plain HTTP.
    const tls = await loadOrCreateTls(config.stateDir);

    // A restart's start-up reconcile tells an upload this start's S3 took (its event is queued) from one made before
    // (its event lost with the old queue) by S3's LastModified, whole seconds: so this S3 serves from a whole second
    // on, which a restart waits for (under a second; a fresh table has nothing from before, so no wait).
    const servesFrom = imagesTable.created ? undefined : await nextWholeSecond();

    // S3 sends to the labelling queue, whose mapping needs the Lambda runtime, which needs S3's endpoint: filled in
    // below. What S3 sends before (an upload to a URL issued before a restart) waits here, as on AWS the queue is
    // always there to take it.
    const functions: { queues?: LocalQueues } = {};
    const earlyEvents: string[] = [];
    const s3 = await startLocalS3({
      tls,
      dataDir: state('s3'),
      port: config.ports.s3,
      host: config.host,
      region: config.region,
      credentials: store,
      buckets: [{ name: config.bucketName, cors: uploadBucketCors }],
      maxObjectBytes: UploadLimits.maxSizeBytes,
      onObjectCreated: (event) => {
        if (!event.Records.some((record) => record.s3.object.key.startsWith(MediaLayout.uploadKeyPrefix))) return;
        // One message per event, as S3's notification to SQS sends it (and extra deliveries: a test hook).
        for (let delivery = 0; delivery <= config.extraS3Deliveries; delivery += 1) {
          if (functions.queues) functions.queues.send(QueueName.labeling, JSON.stringify(event));
          else earlyEvents.push(JSON.stringify(event));
        }
      },
    });
    closers.add(() => s3.close());

    // The test run's shared engine when LABELCAST_VISION_ENGINE_SOCKET names its host (config.ts): the same engine code
    // and analyses, its models loaded once a run rather than once a stack. The connection ends with the stack.
    const engine = config.visionEngineSocket === undefined ? undefined : visionEngineAtHost(config.visionEngineSocket);
    if (engine) closers.add(() => engine.close());
    const rekognition = await startLocalRekognition({
      ...(engine ? { engine } : {}),
      port: config.ports.rekognition,
      host: config.host,
      region: config.region,
      credentials: store,
      admin,
      readObject: (bucket, key) => s3.readObject(bucket, key),
      ...(config.rekognitionTps === undefined ? {} : { tpsQuota: config.rekognitionTps }),
    });
    closers.add(() => rekognition.close());

    // Resolvers invoke functions once the runtime below is up.
    const lambdaRef: { runtime?: ReturnType<typeof startLambdaRuntime> } = {};
    const runtime = createResolverRuntime({
      // Same process as the local DynamoDB: its data source skips the socket, not the DynamoDB API (signature and policy
      // checks included). Each DynamoDB data source signs with its own role's keys, never the administrator's.
      dynamoDb: {
        endpoint: dynamodb.endpoint,
        region: config.region,
        credentials,
        roleCredentials: dataSourceCredentials,
        transport: dynamodb.transport,
      },
      tableNames: { imagesTable: config.tableName },
      invokeLambda: (name, payload) => {
        if (!lambdaRef.runtime) throw new Error('the local Lambda runtime is not started');
        return lambdaRef.runtime.invoke(name, payload);
      },
      tokenSecret: secrets.tokenSecret,
      // Offline, requestUpload also takes http://127.0.0.1 callbacks, so tests can receive them.
      // BatchGetItem names the images table.
      environmentVariables: {
        [CallbackSettings.urlPolicyVariable]: CallbackUrlPolicy.HTTPS_OR_LOOPBACK_HTTP,
        [ImagesTableLayout.tableNameVariable]: config.tableName,
      },
      codeLoader: resolverCode,
    });
    const appsync = await startLocalAppSync({
      stateDir: config.stateDir,
      port: config.ports.appsync,
      host: config.host,
      region: config.region,
      apiKey: secrets.apiKey,
      credentials: store,
      userPoolAdmin: admin,
      userPool,
      userPoolUsers,
      runtime,
      limits: ApiLimits[config.stage],
      rateLimit: config.apiRateLimit,
      onPublished: (mutation) => {
        if (mutation.fieldName === 'publishImageLabeled') observers.onImageEnded?.(mutation.payload);
      },
    });
    closers.add(() => appsync.close());

    // What Lambda itself sets, then the function's configured variables (api/function-environment.ts: NODE_OPTIONS, its
    // service name and tuning, its declared environment of api/access.ts) and nothing else, as infra/ derives them: a
    // handler reading an undeclared variable fails here as on AWS, and the runtime refuses a function whose configured
    // variables Lambda would refuse.
    // Only endpoints and credentials differ from AWS (each function's own session credentials, bound to its role); the function code is the same.
    const environment = (name: LambdaFunctionName): FunctionEnvironment => ({
      runtime: {
        PATH: process.env.PATH ?? '',
        NODE_EXTRA_CA_CERTS: appsync.caPath,
        AWS_REGION: config.region,
        AWS_DEFAULT_REGION: config.region,
        AWS_ACCESS_KEY_ID: functionCredentials[name].accessKeyId,
        AWS_SECRET_ACCESS_KEY: functionCredentials[name].secretAccessKey,
        ...(functionCredentials[name].sessionToken ? { AWS_SESSION_TOKEN: functionCredentials[name].sessionToken } : {}),
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
        AWS_ENDPOINT_URL_REKOGNITION: rekognition.endpoint,
        AWS_LAMBDA_FUNCTION_NAME: name,
        // Offline only, for the functions that send callbacks: loopback targets (unset on AWS, where loopback is refused),
        // and a test hook for a shorter attempt deadline (unset on AWS, and here unless a test asks). Not configured
        // on AWS, so not measured against Lambda's limit.
        ...(needsSource(name, EnvironmentSource.callbackSecret)
          ? {
              [CallbackSettings.allowLoopbackVariable]: '1',
              ...(config.callbackAttemptDeadlineMs ? { [CallbackSettings.attemptDeadlineVariable]: String(config.callbackAttemptDeadlineMs) } : {}),
            }
          : {}),
      },
      configured: configuredEnvironment(name, {
        [EnvironmentSource.bucketName]: config.bucketName,
        [EnvironmentSource.tableName]: config.tableName,
        [EnvironmentSource.graphqlUrl]: appsync.graphqlUrl,
        [EnvironmentSource.callbackSecret]: secrets.callbackSecret,
        [EnvironmentSource.imageProperties]: imagePropertiesVariableValue(config.imageProperties),
      }),
    });
    // The queues' mappings and the runtime's processes per queue consumer derive from the same quotas (the local
    // Rekognition's, when LABELCAST_REKOGNITION_TPS sets one).
    const quotas: LabelingQuotas = { ...defaultLabelingQuotas, ...(config.rekognitionTps === undefined ? {} : { rekognitionTps: config.rekognitionTps }) };
    const lambda = startLambdaRuntime({ stateDir: config.stateDir, environment, onFunctionError: observers.onFunctionError, quotas });
    lambdaRef.runtime = lambda;
    closers.add(() => lambda.close());
    // The queues and their mappings, as infra/labeler.ts deploys them; the labeler's concurrency derives from the same
    // quotas (the local Rekognition's, when LABELCAST_REKOGNITION_TPS sets one). Each mapping polls with its function's role.
    const labelingQueues = startLocalQueues({
      region: config.region,
      quotas,
      invoke: (name, event) => lambda.invoke(name, event),
      roleOf: (name) => principalFor(store, functionCredentials[name].accessKeyId),
    });
    functions.queues = labelingQueues;
    for (const body of earlyEvents.splice(0)) labelingQueues.send(QueueName.labeling, body);
    // Closed before the runtime (closers run newest first): no batch starts while functions stop.
    closers.add(async () => labelingQueues.close());
    // Users invoke functions by the manifest's names, e.g. the reconciler with a scheduled event of their own.
    const lambdaApi = await startLocalLambdaApi({
      port: config.ports.lambda,
      host: config.host,
      region: config.region,
      credentials: store,
      functions: Object.keys(lambdaFunctions) as LambdaFunctionName[],
      runtime: lambda,
    });
    closers.add(() => lambdaApi.close());

    await rekognition.ready;

    // The labelling queue lives in memory, so no event of an earlier start is queued or in flight: re-drive every
    // PENDING image whose object was written before this start's S3 served (reconcile-at-start.ts). What was uploaded
    // since has its event in the live queue (held until it was wired, above), and tickets are made only once AppSync
    // serves: the run, judging as of servesFrom, leaves both.
    // A table this start created holds nothing from before this start, so that run is not made: a fresh stack
    // (every test stack, a first `npm start`) forks no reconciler process for it.
    const reconcile = (event: object) => lambda.invoke('reconciler', event).catch((error: unknown) => console.error('[reconciler]', error));
    if (servesFrom) await reconcile(startupReconcileEvent(servesFrom));
    // Each period sends what EventBridge sends, its scheduled time included.
    const reconcileTimer = setInterval(
      () => void reconcile(scheduledEvent({ time: new Date(), region: config.region, ruleName: 'labelcast-reconciler-schedule' })),
      lambdaFunctions.reconciler.scheduleMinutes * 60_000,
    );
    reconcileTimer.unref();
    closers.add(async () => clearInterval(reconcileTimer));

    const outputs = amplifyOutputs({
      graphqlUrl: appsync.graphqlUrl,
      region: config.region,
      apiKey: secrets.apiKey,
      userPool: {
        user_pool_id: appsync.userPool.userPoolId,
        user_pool_client_id: appsync.userPool.clientId,
        issuer: appsync.userPool.issuer,
        jwks_uri: `${appsync.userPool.issuer}/.well-known/jwks.json`,
        user_pool_endpoint: appsync.userPoolEndpoint,
        tokens_url: appsync.userPoolTokensUrl,
        confirmation_code_url: appsync.userPoolConfirmationCodeUrl,
      },
    });
    const outputsFile = writeAmplifyOutputs(outputs, config.outputsPath, path.join(config.stateDir, 'amplify_outputs.json'));

    // Same certificate as AppSync and S3.
    const gallery = await startGalleryServer({
      root: galleryDist,
      outputs,
      tls,
      host: config.host,
      port: config.ports.gallery,
      // Its CSP lets the page reach exactly these: GraphQL over HTTPS and WSS, presigned uploads and images on S3.
      connectTo: [appsync.graphqlUrl, appsync.realtimeUrl, s3.endpoint],
      imagesFrom: [s3.endpoint],
    });
    closers.add(() => gallery.close());

    return {
      graphqlUrl: appsync.graphqlUrl,
      realtimeUrl: appsync.realtimeUrl,
      apiKey: secrets.apiKey,
      caPath: appsync.caPath,
      region: config.region,
      credentials,
      endpoints: { s3: s3.endpoint, dynamodb: dynamodb.endpoint, rekognition: rekognition.endpoint, lambda: lambdaApi.endpoint },
      bucketName: config.bucketName,
      tableName: config.tableName,
      outputs,
      outputsFile,
      galleryUrl: gallery.url,
      close: () => closers.closeAll(),
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}
