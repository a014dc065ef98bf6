/**
 * `watch`: prints every image as it is labelled (onImageLabeled without
 * imageId) until Ctrl-C. Says on stderr when the realtime connection drops
 * and when it is back, then prints what ended in between (catch-up.ts):
 * each image once, whether it came as an event or from the catch-up.
 */
import type { Image } from '../graphql/index.ts';
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { endedSince } from './catch-up.ts';
import { listenToConnection } from './connection.ts';
import { formatImage, jsonLine } from './format.ts';
import { printError, printLine } from './terminal.ts';

export interface WatchOptions {
  readonly json: boolean;
  /** One line for an error (failure.ts). */
  readonly describe: (error: unknown) => string;
}

export function watch(client: LabelcastClient, options: WatchOptions): Promise<never> {
  return new Promise((_, reject) => {
    const printed = new Set<string>();
    const print = (image: Image) => {
      if (printed.has(image.id)) return;
      printed.add(image.id);
      printLine(options.json ? jsonLine(image) : formatImage(image));
    };
    let disruptedAt: Date | undefined;
    let pending: string[] = [];
    const catchUp = async (since: Date) => {
      try {
        const missed = await endedSince(client, since, pending);
        pending = missed.pending;
        printError(`reconnected: ${missed.ended.length} image(s) ended while disconnected`);
        missed.ended.forEach(print);
      } catch (error) {
        printError(`reconnected, but could not catch up: ${options.describe(error)}`);
      }
    };
    listenToConnection({
      onDisrupted: () => {
        disruptedAt ??= new Date();
        printError('realtime connection lost: reconnecting (Amplify retries after 5 s, then every minute)…');
      },
      onResubscribed: (imageId) => {
        if (imageId !== undefined) return;
        const since = disruptedAt ?? new Date();
        disruptedAt = undefined;
        void catchUp(since);
      },
    });
    const { ready } = client.watchAll(print, (error) => reject(error));
    ready.then(
      () => printError('watching for labelled images (Ctrl-C to stop)…'),
      (error: unknown) => reject(error),
    );
  });
}
