/** `list`: the caller's images (Query.images), newest first, whatever their status; --all follows nextToken. */
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { formatImageLine, jsonLine } from './format.ts';
import { printLine } from './terminal.ts';

export interface ListOptions {
  readonly limit?: number;
  readonly all: boolean;
  readonly json: boolean;
}

export async function list(client: LabelcastClient, options: ListOptions): Promise<number> {
  let nextToken: string | undefined;
  let count = 0;
  do {
    const page = await client.images({ limit: options.limit, nextToken });
    for (const image of page.items) printLine(options.json ? jsonLine(image) : formatImageLine(image));
    count += page.items.length;
    nextToken = page.nextToken ?? undefined;
    if (nextToken && !options.all && !options.json) printLine('… more (run with --all)');
  } while (nextToken && options.all);
  if (count === 0 && !options.json) printLine('no images yet: labelcast upload FILE|DIR… adds some');
  return 0;
}
