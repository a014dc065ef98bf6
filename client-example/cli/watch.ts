/** `watch`: prints every image as it is labelled (onImageLabeled without imageId) until Ctrl-C. */
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { formatImage, jsonLine } from './format.ts';

export function watch(client: LabelcastClient, options: { readonly json: boolean }): Promise<never> {
  return new Promise((_, reject) => {
    const { ready } = client.watchAll(
      (image) => console.log(options.json ? jsonLine(image) : formatImage(image)),
      (error) => reject(error),
    );
    ready.then(
      () => {
        if (!options.json) console.error('watching for labelled images (Ctrl-C to stop)…');
      },
      (error: unknown) => reject(error),
    );
  });
}
