/**
 * `npm start`: runs the offline stack until Ctrl-C. Prints the GraphQL URL and
 * API key for people and writes amplify_outputs.json (never over a deployed
 * stack's: see local/amplify-outputs.ts). Programs read the ready file,
 * `<state dir>/ready.json` (local/ready-file.ts), not these lines. A damaged
 * state file ends it with exit code 1 and one line naming the file and what
 * to do (StateFileError); so does a port another process holds
 * (PortInUseError, naming LABELCAST_PORT).
 *
 * While it runs it prints one line per image that ended LABELED or FAILED and
 * one per failed function invocation with its log file (activity-log.ts);
 * `--quiet` (`npm start -- --quiet`, or `npm start --quiet`) turns that off.
 */
import { endedImageLine, functionErrorLine, isQuiet } from './activity-log.ts';
import { configFromEnv, defaultBasePort, LocalConfigError, type LocalStackConfig } from './config.ts';
import { ensureGalleryBuilt } from './gallery/build.ts';
import { removeReadyFile, writeReadyFile } from './ready-file.ts';
import { PortInUseError } from './listen.ts';
import type { LocalStack, StackObservers } from './stack.ts';
import { loadStateFiles, type StateFiles } from './state-files.ts';
import { StateFileError } from './state-dir.ts';

/** A bad LABELCAST_* value: one line naming it, exit code 1. */
const config: LocalStackConfig = (() => {
  try {
    return configFromEnv();
  } catch (error) {
    if (!(error instanceof LocalConfigError)) throw error;
    console.error(`labelcast cannot start: ${error.message}`);
    process.exit(1);
  }
})();
/**
 * Started by a test or a bench run (local/child-process-stack.ts) over an IPC channel: when that parent ends,
 * even killed, the channel closes and the stack stops too, rather than running on unowned, holding its ports
 * and hundreds of MiB. `npm start` has no channel. Before the stack is up there is nothing to close.
 */
let stopWhenParentGone = (): void => process.exit(1);
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => stopWhenParentGone());
}

/** A damaged state file: its message is the whole story (file, problem, fix). */
const stateFileRefused = (error: StateFileError): never => {
  console.error(`labelcast cannot start: ${error.message}`);
  process.exit(1);
};

// The state files before the rest of the stack is loaded: a damaged one stops the start at once (state-files.ts).
const stateFiles: StateFiles = await loadStateFiles(config).catch((error: unknown) => {
  if (!(error instanceof StateFileError)) throw error;
  return stateFileRefused(error);
});

try {
  await ensureGalleryBuilt();
} catch (error) {
  // The API works without the gallery; say why the page is missing.
  console.error('web gallery not built:', error);
}
// GraphQL, S3, DynamoDB, the AWS SDK and the rest, loaded once the state files hold (seconds of CPU a start saves when
// they do not).
const { startLocalStack, isStartRefusal, startRefusalLine } = await import('./stack.ts');

const quiet = isQuiet();
const observers: StackObservers = quiet
  ? {}
  : {
      onImageEnded: (image) => console.log(endedImageLine(image)),
      onFunctionError: (report) => console.error(functionErrorLine(report)),
    };

const stack: LocalStack = await startLocalStack(config, observers, stateFiles).catch((error: unknown) => {
  // Code, schema or state AppSync (or the stack) would refuse: said plainly, without a stack trace.
  if (!isStartRefusal(error)) throw error;
  // The message is the whole story (file, problem, fix): a stack trace would only bury it.
  if (error instanceof StateFileError) stateFileRefused(error);
  else if (error instanceof PortInUseError) {
    const base = process.env.LABELCAST_PORT ?? String(defaultBasePort);
    console.error(`labelcast cannot start: ${error.message}: stop it, or set LABELCAST_PORT to another first port (now ${base}; npm start uses it and the 5 after it)`);
  }
  else {
    const refusals = error instanceof AggregateError ? error.errors : [error];
    console.error(`labelcast not started:\n${refusals.map((refusal: Error) => startRefusalLine(refusal)).join('\n')}`);
  }
  process.exit(1);
});

console.log(`Gallery:      ${stack.galleryUrl}`);
console.log(`GraphQL:      ${stack.graphqlUrl}`);
console.log(`Realtime:     ${stack.realtimeUrl}`);
console.log(`API key:      ${stack.apiKey}`);
console.log(`Rate limit:   ${config.apiRateLimit.limit} requests per ${config.apiRateLimit.windowSeconds} s per client address, SigV4-signed POSTs without an API key not counted (the AWS WAF rule; LABELCAST_API_RATE_LIMIT)`);
console.log(`S3:           ${stack.endpoints.s3} (bucket ${stack.bucketName})`);
console.log(`DynamoDB:     ${stack.endpoints.dynamodb} (table ${stack.tableName})`);
console.log(`Rekognition:  ${stack.endpoints.rekognition}`);
console.log(`Lambda:       ${stack.endpoints.lambda} (Invoke)`);
const userPool = stack.outputs.custom?.local_user_pool;
if (userPool) console.log(`Cognito:      ${userPool.user_pool_endpoint} (user pool ${userPool.user_pool_id}: Amplify's Auth.Cognito.userPoolEndpoint; sign-up codes print here)`);
console.log(`CA cert:      ${stack.caPath} (Node clients: NODE_EXTRA_CA_CERTS=${stack.caPath})`);
console.log(`Amplify:      ${stack.outputsFile.path}`);
if (stack.outputsFile.notice) console.warn(`Note: ${stack.outputsFile.notice}`);
console.log(`State:        ${config.stateDir}`);
writeReadyFile({
  pid: process.pid,
  stateDir: config.stateDir,
  region: stack.region,
  graphqlUrl: stack.graphqlUrl,
  realtimeUrl: stack.realtimeUrl,
  galleryUrl: stack.galleryUrl,
  caPath: stack.caPath,
  outputsPath: stack.outputsFile.path,
  bucketName: stack.bucketName,
  tableName: stack.tableName,
  endpoints: stack.endpoints,
});
console.log(`labelcast ready${quiet ? '' : ': one line per labelled image and per function error follows (--quiet: none)'}`);

let stopping = false;
/** Stops on a signal (its name) or when the parent that started us is gone. */
const stop = (reason: NodeJS.Signals | 'parent gone') => {
  if (stopping) return;
  stopping = true;
  console.log(`${reason}: stopping`);
  removeReadyFile(config.stateDir);
  stack.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
stopWhenParentGone = () => stop('parent gone');
