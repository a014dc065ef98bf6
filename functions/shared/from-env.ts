/**
 * What several functions build the same way from their environment at cold
 * start: the images table, the publisher of terminal images and the sender
 * of their completion callbacks.
 */
import { CallbackSettings } from '../../api/callback.ts';
import { appSyncPublisher, type Publisher } from './appsync-publisher.ts';
import { callbackSender, type CallbackSender, type CallbackSenderOptions } from './callback-sender.ts';
import { requireEnv } from './env.ts';
import { tableDocumentClient } from './table-client.ts';
import type { TableStore } from './table-store.ts';

/** The images table named by IMAGES_TABLE. */
export const tableStoreFromEnv = (): TableStore => ({
  documentClient: tableDocumentClient(),
  tableName: requireEnv('IMAGES_TABLE'),
});

/** Pushes a terminal image on AppSync (APPSYNC_URL, IAM-signed). Its completion callback is sent apart, after it. */
export const terminalImagePublisherFromEnv = (): Publisher =>
  appSyncPublisher({ graphqlUrl: requireEnv('APPSYNC_URL'), region: requireEnv('AWS_REGION') });

/**
 * The attempt deadline CALLBACK_ATTEMPT_DEADLINE_MS asks for: it may only
 * lower the default (a longer one would stretch a delivery towards the
 * function's timeout); anything else keeps the default, with a warning.
 */
function attemptDeadlineFrom(value: string | undefined, logger: CallbackSenderOptions['logger']): number {
  const fallback = CallbackSettings.attemptDeadlineMs;
  if (value === undefined || value === '') return fallback;
  const ms = Number(value);
  if (Number.isInteger(ms) && ms >= CallbackSettings.minAttemptDeadlineMs && ms <= fallback) return ms;
  logger.warn(
    `${CallbackSettings.attemptDeadlineVariable} must be an integer from ${CallbackSettings.minAttemptDeadlineMs} to ${fallback}, got ${JSON.stringify(value)}: using ${fallback}`,
  );
  return fallback;
}

/**
 * The completion-callback sender the environment configures: CALLBACK_SECRET
 * (none without it), loopback only when LABELCAST_ALLOW_LOOPBACK_CALLBACKS=1
 * (offline), and an attempt deadline CALLBACK_ATTEMPT_DEADLINE_MS may lower.
 */
export function completionCallbacksFromEnv(logger: CallbackSenderOptions['logger'], env: NodeJS.ProcessEnv = process.env): CallbackSender | undefined {
  const secret = env[CallbackSettings.secretVariable];
  if (!secret) {
    logger.warn(`${CallbackSettings.secretVariable} is not set: completion callbacks are off`);
    return undefined;
  }
  return callbackSender({
    secret,
    logger,
    allowLoopback: env[CallbackSettings.allowLoopbackVariable] === '1',
    attemptDeadlineMs: attemptDeadlineFrom(env[CallbackSettings.attemptDeadlineVariable], logger),
  });
}
