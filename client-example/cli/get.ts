/** `get ID`: one image (Query.image). Exit 1 when there is no such image. */
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { formatImage, jsonLine } from './format.ts';
import { printError, printLine } from './terminal.ts';

export async function get(client: LabelcastClient, id: string, options: { readonly json: boolean }): Promise<number> {
  const image = await client.image(id);
  if (!image) {
    printError(`no image ${id}: labelcast list shows your images`);
    return 1;
  }
  printLine(options.json ? jsonLine(image) : formatImage(image));
  return 0;
}
