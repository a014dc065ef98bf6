/**
 * Which amplify_outputs.json the CLI talks to, checked before Amplify reads
 * it: a fresh clone has none until `npm start` writes it, and that deserves
 * one line saying so, not a raw ENOENT.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SetupError, UsageError } from './errors.ts';

export interface StackOutputs {
  readonly path: string;
  /** The GraphQL endpoint (`data.url`), named in messages about reaching it. */
  readonly graphqlUrl: string;
}

/**
 * `--outputs FILE` names a file: a missing one is bad usage (exit 2). The
 * default (LABELCAST_OUTPUTS, else ./amplify_outputs.json) missing means no
 * stack was started here yet (exit 1).
 */
export function readStackOutputs(given: string | undefined, env: NodeJS.ProcessEnv = process.env): StackOutputs {
  const file = path.resolve(given ?? env.LABELCAST_OUTPUTS ?? 'amplify_outputs.json');
  if (!existsSync(file)) {
    if (given !== undefined) throw new UsageError(`--outputs ${given}: no such file (npm start writes amplify_outputs.json at the repo root)`);
    const shown = path.relative(process.cwd(), file);
    throw new SetupError(`no ${shown.startsWith('..') ? file : shown}: run npm start in another terminal (it writes this file), or pass --outputs FILE`);
  }
  let outputs: { data?: { url?: unknown } };
  try {
    outputs = JSON.parse(readFileSync(file, 'utf8')) as typeof outputs;
  } catch (error) {
    throw new SetupError(`${file} is not JSON (${(error as Error).message}): restart npm start to rewrite it, or pass --outputs FILE`);
  }
  const graphqlUrl = outputs?.data?.url;
  if (typeof graphqlUrl !== 'string') throw new SetupError(`${file} has no data.url: it is not an amplify_outputs.json of a labelcast stack`);
  return { path: file, graphqlUrl };
}
