/**
 * `upload FILE|DIR…`: uploads images N at a time (--concurrency), each
 * waiting for its own onImageLabeled event, with a progress bar on a
 * terminal. Returns whether every image was LABELED.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Image } from '../graphql/index.ts';
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { imageFiles } from './files.ts';
import { describeError, formatImage, jsonLine } from './format.ts';
import { progressBar } from './progress.ts';

export interface UploadOptions {
  readonly concurrency: number;
  readonly json: boolean;
}

type Outcome = { readonly file: string; readonly image: Image; readonly ms: number } | { readonly file: string; readonly error: string };

export async function upload(client: LabelcastClient, args: readonly string[], options: UploadOptions): Promise<boolean> {
  const files = await imageFiles(args);
  if (files.length === 0) throw new Error('no JPEG, PNG or WebP files found');
  const progress = options.json ? undefined : progressBar(files.length);
  const print = (line: string) => (progress ? progress.log(line) : console.log(line));
  let next = 0;
  let done = 0;
  let allLabeled = true;
  progress?.update(0);

  const one = async (file: string): Promise<Outcome> => {
    const started = Date.now();
    try {
      const bytes = await readFile(file);
      const image = await client.uploadAndWait(bytes, path.basename(file), (ticket) => {
        if (!options.json) print(`${file}: uploaded as ${ticket.imageId}, waiting for labels…`);
      });
      return { file, image, ms: Date.now() - started };
    } catch (error) {
      return { file, error: describeError(error) };
    }
  };

  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      const outcome = await one(file);
      done += 1;
      if ('error' in outcome || outcome.image.status !== 'LABELED') allLabeled = false;
      if (options.json) console.log(jsonLine('error' in outcome ? outcome : { file: outcome.file, ms: outcome.ms, ...outcome.image }));
      else if ('error' in outcome) print(`${file}: ${outcome.error}`);
      else print(`${formatImage(outcome.image)}\n  (${outcome.ms} ms from request to labels)`);
      progress?.update(done, path.basename(file));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, files.length) }, worker));
  progress?.finish();
  return allLabeled;
}
