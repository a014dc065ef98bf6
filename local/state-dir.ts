/**
 * The offline stack's state directory (`.labelcast/` unless LABELCAST_STATE_DIR says):
 * keys, secrets, tables, objects and logs of one developer. Everything in it
 * is private to its owner, as the same data would be on AWS: directories
 * 0700, files 0600. A state file that cannot be read stops the start with a
 * StateFileError naming the file and what to do, never a fresh secret in its
 * place, since minting one silently would lock out every client configured
 * with the old one.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Modes of everything under the state dir. */
export const StateModes = { directory: 0o700, file: 0o600 } as const;

/** A state file that is unreadable, not JSON, or lacks what the stack needs. Its message is one line for the terminal. */
export class StateFileError extends Error {
  /** The file (or directory) at fault. */
  public readonly file: string;

  /**
   * @example
   * new StateFileError('/repo/.labelcast/secrets.json', 'is not valid JSON', 'fix it, or delete it to mint new secrets');
   * // message: "/repo/.labelcast/secrets.json is not valid JSON; fix it, or delete it to mint new secrets"
   */
  public constructor(file: string, problem: string, remedy: string, options?: ErrorOptions) {
    super(`${file} ${problem}; ${remedy}`, options);
    this.name = 'StateFileError';
    this.file = file;
  }
}

/**
 * Why JSON.parse refused a file, without its text: V8 quotes the content it
 * choked on, and a state file holds secrets. Only the position is kept.
 */
function jsonProblem(error: unknown): string {
  const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
  return position === undefined ? 'is not valid JSON' : `is not valid JSON (error at position ${position})`;
}

/**
 * The JSON in `file`, or undefined when there is no such file.
 * @throws StateFileError when the file cannot be read or is not JSON; `remedy` tells the user what to do.
 */
export function readJsonStateFile(file: string, remedy: string): unknown {
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new StateFileError(file, `cannot be read (${code})`, remedy, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StateFileError(file, jsonProblem(error), remedy, { cause: error });
  }
}

/** A plain JSON object's fields, or undefined for anything else (array, null, string…). */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Sets 0700 on directories and 0600 on files below `dir` (symlinks are left alone: their targets are not ours). */
function restrictTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      chmodSync(entryPath, StateModes.directory);
      restrictTree(entryPath);
    } else if (entry.isFile()) {
      chmodSync(entryPath, StateModes.file);
    }
  }
}

/**
 * Makes the state dir private before anything is written to it:
 * - the process umask becomes 077, so every file the stack or its libraries
 *   create later (dynalite's LevelDB, s3rver's objects, function logs, and the
 *   function processes, which inherit it) is 0600 and every directory 0700;
 * - the dir is created 0700, and a dir from an older version (0755 and 0644)
 *   is brought to the same modes.
 * The stack owns its process (`npm start`), so the umask is its to set.
 */
export function prepareStateDir(stateDir: string): void {
  process.umask(0o077);
  mkdirSync(stateDir, { recursive: true, mode: StateModes.directory });
  if (lstatSync(stateDir).isDirectory()) chmodSync(stateDir, StateModes.directory);
  restrictTree(stateDir);
}

/** `<stateDir>/<name>`, created 0700 if missing. */
export function stateSubdir(stateDir: string, name: string): string {
  const dir = path.join(stateDir, name);
  mkdirSync(dir, { recursive: true, mode: StateModes.directory });
  return dir;
}
