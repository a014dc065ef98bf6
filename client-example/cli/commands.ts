/**
 * Every command of the CLI: its arguments, options and help text. One table,
 * read by the parser (args.ts), `--help`, and the dispatcher (cli.ts).
 */

/** An option's name as typed after `--`, and whether it takes a value. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Shown in help, e.g. `N`. */
  readonly valueName?: string;
  readonly description: string;
}

export const globalOptions = {
  outputs: { type: 'string', valueName: 'FILE', description: 'amplify_outputs.json of the stack to use (default: ./amplify_outputs.json, or LABELCAST_OUTPUTS)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

const json = { type: 'boolean', description: 'one JSON object a line (NDJSON) instead of text' } as const;
const all = { type: 'boolean', description: 'follow nextToken to the last page' } as const;
const limit = (what: string) => ({ type: 'string', valueName: 'N', description: `${what} a page, 1 to 100` }) as const;

export const commandSpecs = {
  upload: {
    args: 'FILE|DIR…',
    minArgs: 1,
    maxArgs: Infinity,
    summary: 'upload images and print the labels pushed for each',
    description:
      'Uploads each JPEG, PNG or WebP file (directories are searched recursively; other files there are listed as skipped),\n' +
      'waits for its onImageLabeled event and prints its labels. Ends with a summary line. Exits 1 if any image FAILED\n' +
      'or could not be uploaded.',
    options: { concurrency: { type: 'string', valueName: 'N', description: 'images in flight at once, 1 to 32 (default 4)' }, json },
    example: 'labelcast upload tests/fixtures --concurrency 4',
  },
  watch: {
    args: '',
    minArgs: 0,
    maxArgs: 0,
    summary: 'print every image as it is labelled, until Ctrl-C',
    description:
      'Subscribes to onImageLabeled for every image. Says when the connection drops and, once back, prints what was\n' +
      'labelled in between (Query.images), so nothing is missed.',
    options: { json },
    example: 'labelcast watch --json',
  },
  search: {
    args: 'LABEL',
    minArgs: 1,
    maxArgs: 1,
    summary: 'images carrying a label, its parents or its aliases (imagesByLabel)',
    description: 'Searches by label: `Animal` finds the cat, `Kitten` too. Newest first.',
    options: {
      'min-confidence': { type: 'string', valueName: 'N', description: 'only labels at or above N%, 0 to 100' },
      limit: limit('images'),
      all,
      json,
    },
    example: 'labelcast search Cat --min-confidence 60 --all',
  },
  list: {
    args: '',
    minArgs: 0,
    maxArgs: 0,
    summary: 'your images, newest first, whatever their status (Query.images)',
    description: 'Lists the images of the caller, PENDING and FAILED ones too, newest first.',
    options: { limit: limit('images'), all, json },
    example: 'labelcast list --limit 10',
  },
  labels: {
    args: '[PREFIX]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'the label catalog with the number of images per label',
    description: 'Lists label names alphabetically (those starting with PREFIX, if given) and how many images carry each.',
    options: { limit: limit('labels'), all, json },
    example: 'labelcast labels ca',
  },
  get: {
    args: 'ID',
    minArgs: 1,
    maxArgs: 1,
    summary: 'one image: status, labels, moderation labels',
    description: 'Prints one image by its id. Exits 1 if there is no such image.',
    options: { json },
    example: 'labelcast get 3f1c9a0e-…',
  },
  delete: {
    args: 'ID…',
    minArgs: 1,
    maxArgs: Infinity,
    summary: 'delete images with their objects and search entries',
    description: 'Deletes each image (deleteImage). Exits 1 if any could not be deleted (an unknown id is NotFound).',
    options: { json },
    example: 'labelcast delete 3f1c9a0e-… 77b2e4d1-…',
  },
} as const satisfies Record<
  string,
  {
    readonly args: string;
    readonly minArgs: number;
    readonly maxArgs: number;
    readonly summary: string;
    readonly description: string;
    readonly options: Record<string, OptionSpec>;
    readonly example: string;
  }
>;

export type CommandName = keyof typeof commandSpecs;

export const isCommandName = (name: string): name is CommandName => Object.hasOwn(commandSpecs, name);

const optionLines = (options: Record<string, OptionSpec>): string[] =>
  Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.valueName ? ` ${spec.valueName}` : ''}`;
    return `  ${flag.padEnd(26)} ${spec.description}`;
  });

/** `labelcast --help`. */
export function generalHelp(): string {
  const commands = Object.entries(commandSpecs).map(([name, spec]) => `  ${`${name} ${spec.args}`.padEnd(22)} ${spec.summary}`);
  return [
    'usage: labelcast COMMAND [ARGS] [OPTIONS]',
    '',
    'commands:',
    ...commands,
    '',
    'options of every command:',
    ...optionLines(globalOptions),
    '',
    'labelcast COMMAND --help shows a command\'s options. Bad usage exits 2, a failure 1.',
    'Through npm, put -- before the arguments (npm run cli -- search Cat --limit 5), or use npx labelcast.',
  ].join('\n');
}

/** `labelcast COMMAND --help`. */
export function commandHelp(name: CommandName): string {
  const spec = commandSpecs[name];
  return [
    `usage: labelcast ${name}${spec.args ? ` ${spec.args}` : ''} [OPTIONS]`,
    '',
    spec.description,
    '',
    'options:',
    ...optionLines({ ...spec.options, ...globalOptions }),
    '',
    `example: ${spec.example}`,
  ].join('\n');
}
