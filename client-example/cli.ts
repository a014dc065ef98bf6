/**
 * labelcast example CLI on aws-amplify v6.
 *
 *   npm run cli -- upload photo.jpg [more.jpg …]   upload, then print the labels pushed over onImageLabeled
 *   npm run cli -- search Cat [--min-confidence 80] [--limit 20]
 *
 * Reads amplify_outputs.json (--outputs FILE, default ./amplify_outputs.json),
 * so the same CLI talks to the local stack or a deployed one.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Image } from '../api/types.ts';
import { configureAmplify } from './lib/configure.ts';
import { LabelcastClient } from './lib/labelcast-client.ts';

const usage = `usage:
  labelcast upload FILE… [--outputs amplify_outputs.json]
  labelcast search LABEL [--min-confidence N] [--limit N] [--outputs amplify_outputs.json]`;

function formatImage(image: Image): string {
  const head = `${image.id}  ${image.status}${image.fileName ? `  ${image.fileName}` : ''}`;
  if (image.status === 'FAILED') return `${head}\n  error: ${image.error}`;
  const labels = image.labels.map((label) => {
    const parents = label.parents.length ? ` (${label.parents.join(', ')})` : '';
    const boxes = label.instances.length ? ` [${label.instances.length} instance${label.instances.length > 1 ? 's' : ''}]` : '';
    return `  ${label.name.padEnd(24)} ${label.confidence.toFixed(1).padStart(5)}%${boxes}${parents}`;
  });
  const moderation = image.moderationLabels.map((label) => `  moderation: ${label.name} ${label.confidence.toFixed(1)}%`);
  return [head, ...labels, ...moderation].join('\n');
}

async function upload(client: LabelcastClient, files: string[]): Promise<boolean> {
  let allLabeled = true;
  for (const file of files) {
    const bytes = await readFile(file);
    const started = Date.now();
    const image = await client.uploadAndWait(bytes, path.basename(file), (ticket) =>
      console.log(`${file}: uploaded as ${ticket.imageId}, waiting for labels…`),
    );
    console.log(`${formatImage(image)}\n  (${Date.now() - started} ms from request to labels)`);
    if (image.status !== 'LABELED') allLabeled = false;
  }
  return allLabeled;
}

async function search(client: LabelcastClient, label: string, minConfidence?: number, limit?: number): Promise<void> {
  const page = await client.imagesByLabel({ label, minConfidence, limit });
  if (page.items.length === 0) console.log(`no images labelled ${label}`);
  for (const image of page.items) console.log(formatImage(image));
  if (page.nextToken) console.log(`… more (nextToken ${page.nextToken.slice(0, 16)}…)`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      outputs: { type: 'string', default: process.env.LABELCAST_OUTPUTS ?? 'amplify_outputs.json' },
      'min-confidence': { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  configureAmplify(path.resolve(values.outputs));
  const client = new LabelcastClient();
  if (command === 'upload' && rest.length > 0) return (await upload(client, rest)) ? 0 : 1;
  if (command === 'search' && rest.length === 1) {
    const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
    await search(client, rest[0], number(values['min-confidence']), number(values.limit));
    return 0;
  }
  console.error(usage);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const detail = (error as { errors?: { errorType?: string; message: string }[] }).errors;
    console.error(detail ? detail.map((e) => `${e.errorType ?? 'Error'}: ${e.message}`).join('\n') : error);
    process.exit(1);
  },
);
