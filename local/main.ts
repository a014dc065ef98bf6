/**
 * `npm start`: runs the offline stack until Ctrl-C. Prints the GraphQL URL and
 * API key and writes amplify_outputs.json; the last line, `labelcast ready`,
 * tells scripts the stack is serving.
 */
import { AppSyncJsCheckError } from '../api/appsync-js-check.ts';
import { SchemaRuleError } from '../api/schema-defaults.ts';
import { ResolverCodeError } from './appsync/resolvers/errors.ts';
import { configFromEnv } from './config.ts';
import { ensureGalleryBuilt } from './gallery/build.ts';
import { startLocalStack } from './stack.ts';

const config = configFromEnv();
try {
  await ensureGalleryBuilt();
} catch (error) {
  // The API works without the gallery; say why the page is missing.
  console.error('web gallery not built:', error);
}
/** Code or schema AppSync would refuse (or silently treat otherwise): said plainly, without a stack trace. */
const isRefusal = (error: unknown): boolean =>
  error instanceof AppSyncJsCheckError ||
  error instanceof ResolverCodeError ||
  error instanceof SchemaRuleError ||
  (error instanceof AggregateError && error.errors.every(isRefusal));

const stack = await startLocalStack(config).catch((error: unknown) => {
  if (!isRefusal(error)) throw error;
  const refusals = error instanceof AggregateError ? error.errors : [error];
  console.error(`labelcast not started:\n${refusals.map((refusal: Error) => refusal.message).join('\n')}`);
  process.exit(1);
});

console.log(`Gallery:      ${stack.galleryUrl}`);
console.log(`GraphQL:      ${stack.graphqlUrl}`);
console.log(`Realtime:     ${stack.realtimeUrl}`);
console.log(`API key:      ${stack.apiKey}`);
console.log(`S3:           ${stack.endpoints.s3} (bucket ${stack.bucketName})`);
console.log(`DynamoDB:     ${stack.endpoints.dynamodb} (table ${stack.tableName})`);
console.log(`Rekognition:  ${stack.endpoints.rekognition}`);
console.log(`Lambda:       ${stack.endpoints.lambda} (Invoke)`);
console.log(`CA cert:      ${stack.caPath} (Node clients: NODE_EXTRA_CA_CERTS=${stack.caPath})`);
console.log(`Amplify:      ${config.outputsPath}`);
console.log(`State:        ${config.stateDir}`);
console.log('labelcast ready');

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
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
