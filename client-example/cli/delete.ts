/**
 * `delete ID…`: deletes each image (Mutation.deleteImage), one after the
 * other, and says how each went. Exit 1 when any could not be deleted.
 */
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { isUnreachable } from './failure.ts';
import { jsonLine } from './format.ts';
import { printError, printLine } from './terminal.ts';

export async function deleteImages(
  client: LabelcastClient,
  ids: readonly string[],
  options: { readonly json: boolean; readonly describe: (error: unknown) => string },
): Promise<number> {
  let deleted = 0;
  let failed = 0;
  for (const id of ids) {
    try {
      const image = await client.deleteImage(id);
      deleted += 1;
      printLine(options.json ? jsonLine({ id, deleted: true }) : `deleted ${id}${image.fileName ? ` (${image.fileName})` : ''}`);
    } catch (error) {
      // The API not answering is no verdict on this id, and the next ids would only say the same.
      if (isUnreachable(error)) throw error;
      failed += 1;
      const reason = options.describe(error);
      if (options.json) printLine(jsonLine({ id, deleted: false, error: reason }));
      else printError(`${id}: ${reason}`);
    }
  }
  if (!options.json && ids.length > 1) printLine(`${deleted} deleted, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
