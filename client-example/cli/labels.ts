/** `labels [PREFIX]`: the label catalog (Query.labels), alphabetically, with each label's image count. */
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { jsonLine } from './format.ts';
import { printLine } from './terminal.ts';

export interface LabelsOptions {
  readonly limit?: number;
  readonly all: boolean;
  readonly json: boolean;
}

export async function labels(client: LabelcastClient, prefix: string | undefined, options: LabelsOptions): Promise<number> {
  let nextToken: string | undefined;
  let count = 0;
  do {
    const page = await client.labels({ prefix, limit: options.limit, nextToken });
    for (const label of page.items) {
      printLine(options.json ? jsonLine(label) : `${label.name.padEnd(32)} ${String(label.imageCount).padStart(6)} image${label.imageCount === 1 ? '' : 's'}`);
    }
    count += page.items.length;
    nextToken = page.nextToken ?? undefined;
    if (nextToken && !options.all && !options.json) printLine('… more (run with --all)');
  } while (nextToken && options.all);
  if (count === 0 && !options.json) printLine(prefix ? `no labels start with ${prefix}` : 'no labels yet: upload an image first');
  return 0;
}
