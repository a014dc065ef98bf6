/** `search LABEL`: images carrying a label, newest first; --all follows nextToken to the end. */
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { formatImage, jsonLine } from './format.ts';
import { printLine } from './terminal.ts';

export interface SearchOptions {
  readonly minConfidence?: number;
  readonly limit?: number;
  readonly all: boolean;
  readonly json: boolean;
}

export async function search(client: LabelcastClient, label: string, options: SearchOptions): Promise<void> {
  let nextToken: string | undefined;
  let count = 0;
  do {
    const page = await client.imagesByLabel({ label, minConfidence: options.minConfidence, limit: options.limit, nextToken });
    for (const image of page.items) printLine(options.json ? jsonLine(image) : formatImage(image));
    count += page.items.length;
    nextToken = page.nextToken ?? undefined;
    if (nextToken && !options.all && !options.json) printLine(`… more (run with --all, or nextToken ${nextToken.slice(0, 16)}…)`);
  } while (nextToken && options.all);
  if (count === 0 && !options.json) printLine(`no images labelled ${label}`);
}
