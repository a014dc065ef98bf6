/**
 * `watch`: prints every image as it is labelled (onImageLabeled without
 * imageId) until Ctrl-C. Says on stderr when the realtime connection drops
 * and when it is back; then it catches up (catch-up.ts), so an image
 * labelled while the socket was down is printed too, once.
 */
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { listenToConnection } from './connection.ts';
import { formatImage, jsonLine } from './format.ts';

export function watch(client: LabelcastClient, options: { readonly json: boolean }): Promise<never> {
  return new Promise((_, reject) => {
    const print = (image: Parameters<typeof formatImage>[0]) => console.log(options.json ? jsonLine(image) : formatImage(image));
    let disruptedAt: Date | undefined;
    listenToConnection({
      onDisrupted: () => {
        disruptedAt ??= new Date();
        console.error('realtime connection lost: reconnecting (Amplify retries after 5 s, then every minute)…');
      },
      onResubscribed: (imageId) => {
        if (imageId !== undefined) return;
        console.error(`reconnected (down since ${disruptedAt?.toISOString() ?? 'unknown'})`);
        disruptedAt = undefined;
      },
    });
    const { ready } = client.watchAll(print, (error) => reject(error));
    ready.then(
      () => console.error('watching for labelled images (Ctrl-C to stop)…'),
      (error: unknown) => reject(error),
    );
  });
}
