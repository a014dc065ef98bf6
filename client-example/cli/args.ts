/**
 * Parses the command line into a command, its positional arguments and its
 * options, refusing (UsageError, exit 2) anything the command does not take,
 * with one line that says what to do.
 *
 * `npm run cli search Cat --json` (no `--`) reaches us without `--json`: npm
 * takes every `--flag` for its own config and hands it over only as
 * `npm_config_<flag>` in the environment. Under `npm run cli` we read those
 * back: flags work without `--`, and so does `--limit=5`; `--limit 5` cannot
 * (npm kept `true` as the flag's value and passed `5` on as an argument), so
 * it is refused with the two ways that work.
 */
import { parseArgs } from 'node:util';
import { commandSpecs, globalOptions, isCommandName, type CommandName, type OptionSpec } from './commands.ts';
import { UsageError } from './errors.ts';

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export type ParsedCommandLine =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'run'; readonly command: CommandName; readonly args: readonly string[]; readonly options: OptionValues };

/** Every option any command takes, for the first pass that finds the command. */
const everyOption: Record<string, OptionSpec> = Object.assign({}, globalOptions, ...Object.values(commandSpecs).map((spec) => spec.options));

const envName = (option: string) => `npm_config_${option.replaceAll('-', '_')}`;

/** The options npm took from `npm run cli …` without `--`, as arguments again. */
export function optionsNpmTook(env: NodeJS.ProcessEnv): string[] {
  if (env.npm_lifecycle_event !== 'cli') return [];
  const taken: string[] = [];
  for (const [name, spec] of Object.entries(everyOption)) {
    const value = env[envName(name)];
    if (value === undefined || value === '') continue;
    if (spec.type === 'boolean') {
      if (value === 'true') taken.push(`--${name}`);
      continue;
    }
    if (value === 'true') {
      throw new UsageError(
        `npm took --${name} for itself and passed its value on as an argument: write npm run cli -- … (with --), or npx labelcast …`,
      );
    }
    taken.push(`--${name}=${value}`);
  }
  return taken;
}

/** parseArgs' own texts span lines and talk about positionals; ours say what to do. */
function parseError(error: unknown, command: string | undefined): UsageError {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? 'an option';
  const help = command && isCommandName(command) ? `labelcast ${command} --help` : 'labelcast --help';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${option}: see ${help}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError(`${option} needs a value (or takes none): see ${help}`);
  return new UsageError(`${message.split('\n')[0]}: see ${help}`);
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedCommandLine {
  const args = [...argv, ...optionsNpmTook(env)];
  let parsed: ReturnType<typeof parseArgs<{ options: typeof everyOption; allowPositionals: true; tokens: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options: everyOption, allowPositionals: true, tokens: true, strict: true });
  } catch (error) {
    throw parseError(error, args.find((arg) => !arg.startsWith('-')));
  }
  const [command, ...rest] = parsed.positionals;
  const help = parsed.values.help === true;
  if (command === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !isCommandName(topic)) throw new UsageError(`no command ${topic}: see labelcast --help`);
    return { kind: 'help', command: topic };
  }
  if (command === undefined) {
    if (help) return { kind: 'help' };
    throw new UsageError('no command given: see labelcast --help');
  }
  if (!isCommandName(command)) throw new UsageError(`unknown command ${command}: see labelcast --help`);
  if (help) return { kind: 'help', command };

  const spec = commandSpecs[command];
  for (const token of parsed.tokens) {
    if (token.kind === 'option' && !Object.hasOwn(spec.options, token.name) && !Object.hasOwn(globalOptions, token.name)) {
      throw new UsageError(`${command} takes no --${token.name}: see labelcast ${command} --help`);
    }
  }
  if (rest.length < spec.minArgs) throw new UsageError(`${command} needs ${spec.args}: see labelcast ${command} --help`);
  if (rest.length > spec.maxArgs) {
    throw new UsageError(`${command} takes ${spec.args || 'no arguments'}, got ${rest.join(' ')}: see labelcast ${command} --help`);
  }
  return { kind: 'run', command, args: rest, options: parsed.values };
}

/** A whole-number option within a range, or undefined when not given. */
export function integerOption(options: OptionValues, name: string, range: { readonly min: number; readonly max: number }): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isInteger(number) || number < range.min || number > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}, got ${String(value)}`);
  }
  return number;
}

/** A number option within a range (decimals allowed), or undefined when not given. */
export function numberOption(options: OptionValues, name: string, range: { readonly min: number; readonly max: number }): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(number) || number < range.min || number > range.max) {
    throw new UsageError(`--${name} must be a number from ${range.min} to ${range.max}, got ${String(value)}`);
  }
  return number;
}
