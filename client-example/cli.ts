/**
 * labelcast example CLI on aws-amplify v6.
 *
 *   npm run cli -- upload FILE|DIR… [--concurrency 4] [--json]   upload, print the labels pushed over onImageLabeled
 *   npm run cli -- watch [--json]                                 stream every labelled image until Ctrl-C
 *   npm run cli -- search LABEL [--min-confidence 80] [--limit 20] [--all] [--json]
 *
 * Reads amplify_outputs.json (--outputs FILE, default ./amplify_outputs.json),
 * so the same CLI talks to the local stack or a deployed one. `upload` exits 1
 * when any image FAILED or could not be uploaded; bad usage exits 2.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from './cli/format.ts';
import { search } from './cli/search.ts';
import { upload } from './cli/upload.ts';
import { watch } from './cli/watch.ts';
import { configureAmplify } from './lib/configure.ts';
import { LabelcastClient } from './lib/labelcast-client.ts';

const usage = `usage:
  labelcast upload FILE|DIR… [--concurrency N] [--json]
  labelcast watch [--json]
  labelcast search LABEL [--min-confidence N] [--limit N] [--all] [--json]
options: --outputs FILE (default amplify_outputs.json)`;

class UsageError extends Error {}

function numberOption(name: string, value: string | undefined, range: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < range.min || number > range.max) {
    throw new UsageError(`--${name} must be a number from ${range.min} to ${range.max}, got ${value}`);
  }
  return number;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      outputs: { type: 'string', default: process.env.LABELCAST_OUTPUTS ?? 'amplify_outputs.json' },
      'min-confidence': { type: 'string' },
      limit: { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  const json = values.json;
  const run = async (action: (client: LabelcastClient) => Promise<number>) => {
    configureAmplify(path.resolve(values.outputs));
    return action(new LabelcastClient());
  };
  if (command === 'upload' && rest.length > 0) {
    const concurrency = numberOption('concurrency', values.concurrency, { min: 1, max: 32 }) ?? 4;
    return run(async (client) => ((await upload(client, rest, { concurrency: Math.floor(concurrency), json })) ? 0 : 1));
  }
  if (command === 'watch' && rest.length === 0) return run((client) => watch(client, { json }));
  if (command === 'search' && rest.length === 1) {
    const minConfidence = numberOption('min-confidence', values['min-confidence'], { min: 0, max: 100 });
    const limit = numberOption('limit', values.limit, { min: 1, max: 100 });
    return run(async (client) => {
      await search(client, rest[0], { minConfidence, limit, all: values.all, json });
      return 0;
    });
  }
  throw new UsageError(command ? `unknown command or arguments: ${positionals.join(' ')}` : 'no command given');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n${usage}`);
      process.exit(2);
    }
    console.error(describeError(error));
    process.exit(1);
  },
);
