/**
 * labelcast example CLI on aws-amplify v6: `npx labelcast COMMAND …` (or
 * `npm run cli -- COMMAND …`), both through the launcher cli/labelcast.js,
 * which trusts the local stack's CA. `labelcast --help` lists the commands
 * (cli/commands.ts).
 *
 * Reads amplify_outputs.json (--outputs FILE, LABELCAST_OUTPUTS, default
 * ./amplify_outputs.json), so the same CLI talks to the local stack or a
 * deployed one. Exit codes: 0 done, 1 a failure (an image FAILED, the API
 * unreachable…), 2 bad usage. Every error is one line that says what to do.
 */
import { parseCommandLine, integerOption, numberOption, type OptionValues } from './cli/args.ts';
import { commandHelp, generalHelp, type CommandName } from './cli/commands.ts';
import { deleteImages } from './cli/delete.ts';
import { CliError } from './cli/errors.ts';
import { describeFailure } from './cli/failure.ts';
import { imageFiles } from './cli/files.ts';
import { get } from './cli/get.ts';
import { labels } from './cli/labels.ts';
import { list } from './cli/list.ts';
import { readStackOutputs } from './cli/outputs.ts';
import { search } from './cli/search.ts';
import { upload } from './cli/upload.ts';
import { watch } from './cli/watch.ts';
import { configureAmplify } from './lib/configure.ts';
import { LabelcastClient } from './lib/labelcast-client.ts';
import { printError, printLine } from './cli/terminal.ts';

type Describe = (error: unknown) => string;
/** What a command does once it has a client: resolves with the exit code. */
type Run = (client: LabelcastClient, describe: Describe) => Promise<number>;
/**
 * Each command checks its arguments and options first (UsageError, exit 2)
 * and only then gets a client, so bad usage says so even without a stack.
 */
type Command = (args: readonly string[], options: OptionValues) => Promise<Run>;

const pageLimit = { min: 1, max: 100 };
const flag = (options: OptionValues, name: string) => options[name] === true;

const commands: Record<CommandName, Command> = {
  upload: async (args, options) => {
    const concurrency = integerOption(options, 'concurrency', { min: 1, max: 32 }) ?? 4;
    const files = await imageFiles(args);
    return async (client, describe) => ((await upload(client, files, { concurrency, json: flag(options, 'json'), describe })) ? 0 : 1);
  },
  watch: async (_args, options) => (client, describe) => watch(client, { json: flag(options, 'json'), describe }),
  search: async ([label], options) => {
    const minConfidence = numberOption(options, 'min-confidence', { min: 0, max: 100 });
    const limit = integerOption(options, 'limit', pageLimit);
    return async (client) => {
      await search(client, label, { minConfidence, limit, all: flag(options, 'all'), json: flag(options, 'json') });
      return 0;
    };
  },
  list: async (_args, options) => {
    const limit = integerOption(options, 'limit', pageLimit);
    return (client) => list(client, { limit, all: flag(options, 'all'), json: flag(options, 'json') });
  },
  labels: async ([prefix], options) => {
    const limit = integerOption(options, 'limit', pageLimit);
    return (client) => labels(client, prefix, { limit, all: flag(options, 'all'), json: flag(options, 'json') });
  },
  get: async ([id], options) => (client) => get(client, id, { json: flag(options, 'json') }),
  delete: async (ids, options) => (client, describe) => deleteImages(client, ids, { json: flag(options, 'json'), describe }),
};

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2));
  if (parsed.kind === 'help') {
    printLine(parsed.command ? commandHelp(parsed.command) : generalHelp());
    return 0;
  }
  const run = await commands[parsed.command](parsed.args, parsed.options);
  const outputs = readStackOutputs(typeof parsed.options.outputs === 'string' ? parsed.options.outputs : undefined);
  const describe: Describe = (error) => describeFailure(error, outputs.graphqlUrl);
  configureAmplify(outputs.path);
  try {
    return await run(new LabelcastClient(), describe);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(describe(error), { cause: error });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliError) {
      printError(`labelcast: ${error.message}`);
      process.exit(error.exitCode);
    }
    // A bug of ours: the stack trace is what its report needs.
    printError(error);
    process.exit(1);
  },
);
