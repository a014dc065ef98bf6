/**
 * `upload FILE|DIR…`: uploads images N at a time (--concurrency), each
 * waiting for its own onImageLabeled event, with a progress bar on a
 * terminal, and ends with a summary line ("12 labelled, 1 failed, 2
 * skipped"). Returns whether every image was LABELED.
 *
 * If the realtime connection drops while images wait, their events may be
 * pushed while no one listens: once Amplify has resubscribed an image, the
 * image is re-read with `image(id)`, and a result found there counts as its
 * event.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Image } from '../graphql/index.ts';
import { sniffContentType } from '../lib/content-type.ts';
import type { LabelcastClient } from '../lib/labelcast-client.ts';
import { listenToConnection } from './connection.ts';
import type { FoundFiles } from './files.ts';
import { formatImage, jsonLine } from './format.ts';
import { isUnreachable } from './failure.ts';
import { progressBar } from './progress.ts';
import { printError, printLine } from './terminal.ts';

export interface UploadOptions {
  readonly concurrency: number;
  readonly json: boolean;
  /** One line for an error (failure.ts). */
  readonly describe: (error: unknown) => string;
}

type Outcome = { readonly file: string; readonly image: Image; readonly ms: number } | { readonly file: string; readonly error: string };

/** How long one image may wait for its labels before the CLI reports it as still PENDING. */
const labelsTimeoutMs = 180_000;

/** "12 labelled, 1 failed, 2 skipped". */
export function uploadSummary(counts: { readonly labelled: number; readonly failed: number; readonly skipped: number }): string {
  return `${counts.labelled} labelled, ${counts.failed} failed, ${counts.skipped} skipped`;
}

/** `found`: what files.ts found on the command line (checked before any upload). */
export async function upload(client: LabelcastClient, found: FoundFiles, options: UploadOptions): Promise<boolean> {
  const { images: files, skipped } = found;
  const progress = options.json ? undefined : progressBar(files.length);
  const print = (line: string) => (progress ? progress.log(line) : printLine(line));
  for (const { file, reason } of skipped) print(options.json ? jsonLine({ file, skipped: reason }) : `skipped ${file}: ${reason}`);
  const counts = { labelled: 0, failed: 0, skipped: skipped.length };
  const summary = () => (options.json ? printError(uploadSummary(counts)) : print(uploadSummary(counts)));
  if (files.length === 0) {
    summary();
    printError('nothing to upload: labelcast takes .jpg, .jpeg, .png and .webp files');
    return false;
  }

  // Images waiting for their event, and how to settle each from a re-read after a reconnection.
  const waiting = new Map<string, (image: Image) => void>();
  const stopListening = listenToConnection({
    onDisrupted: () => {
      if (waiting.size > 0) printError(`realtime connection lost with ${waiting.size} image(s) waiting: reconnecting…`);
    },
    onResubscribed: (imageId) => {
      const settle = imageId === undefined ? undefined : waiting.get(imageId);
      if (!imageId || !settle) return;
      // A failed re-read leaves the image waiting for its event, as before the drop.
      client.image(imageId).then((image) => image && image.status !== 'PENDING' && settle(image), () => undefined);
    },
  });

  const waitForLabels = async (file: string, bytes: Uint8Array): Promise<Image> => {
    const contentType = sniffContentType(bytes);
    if (!contentType) throw new Error(`not a JPEG, PNG or WebP image (its bytes say otherwise)`);
    const ticket = await client.requestUpload({ contentType, sizeBytes: bytes.byteLength, fileName: path.basename(file) });
    const { ready, labeled } = client.watchImage(ticket.imageId, labelsTimeoutMs);
    const caughtUp = new Promise<Image>((resolve) => waiting.set(ticket.imageId, resolve));
    try {
      await ready;
      await client.upload(ticket, bytes);
      if (!options.json) print(`${file}: uploaded as ${ticket.imageId}, waiting for labels…`);
      return await Promise.race([labeled, caughtUp]);
    } catch (error) {
      // Out of patience: one last look before calling it a failure.
      const image = await client.image(ticket.imageId).catch(() => null);
      if (image && image.status !== 'PENDING') return image;
      throw error;
    } finally {
      waiting.delete(ticket.imageId);
    }
  };

  const one = async (file: string): Promise<Outcome> => {
    const started = Date.now();
    try {
      const image = await waitForLabels(file, await readFile(file));
      return { file, image, ms: Date.now() - started };
    } catch (error) {
      // The API not answering is no verdict on this file: stop the batch with one line (cli.ts) instead of N.
      if (isUnreachable(error)) throw error;
      return { file, error: options.describe(error) };
    }
  };

  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      const outcome = await one(file);
      done += 1;
      if ('image' in outcome && outcome.image.status === 'LABELED') counts.labelled += 1;
      else counts.failed += 1;
      if (options.json) print(jsonLine('error' in outcome ? outcome : { file: outcome.file, ms: outcome.ms, ...outcome.image }));
      else if ('error' in outcome) print(`${file}: ${outcome.error}`);
      else print(`${formatImage(outcome.image)}\n  (${outcome.ms} ms from request to labels)`);
      progress?.update(done, path.basename(file));
    }
  };
  progress?.update(0);
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, files.length) }, worker));
  } finally {
    stopListening();
    progress?.finish();
  }
  summary();
  return counts.failed === 0;
}
