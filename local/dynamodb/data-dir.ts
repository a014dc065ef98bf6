/**
 * Opens dynalite's LevelDB once before dynalite does. dynalite opens it
 * lazily and throws a damaged store's error ("Database is closed") from a
 * callback, outside any caller, which kills the process with a stack trace
 * naming neither the directory nor a fix. Opened here first, a damaged
 * `CURRENT` or manifest, or a store another process holds, is a
 * StateFileError: one line saying which directory and what to do.
 * What the probe found sound is a CheckedDataDir, which only it makes: the
 * local DynamoDB (server.ts) does not open a CheckedDataDir again, so a start
 * that probed the store first (local/state-files.ts) hands that on, and the
 * type, not a flag a caller may forget, says the store was opened.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { StateFileError } from '../state-dir.ts';

interface LevelStore {
  open(): Promise<void>;
  close(): Promise<void>;
}
type LevelConstructor = new (location: string, options: { valueEncoding: 'json' }) => LevelStore;

/**
 * The `level` dynalite itself depends on, so the probe opens the store as dynalite will; required at the first
 * probe (its native binding takes a third of a start that stops at a damaged file before the store).
 */
const levelConstructor = (): LevelConstructor => {
  const dynaliteRequire = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  return (dynaliteRequire('level') as { Level: LevelConstructor }).Level;
};

/** LevelDB's reason, from the open error's cause (e.g. "Corruption: CURRENT file does not end with newline"). */
function levelReason(error: unknown): { code?: string; message: string } {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : undefined, message: cause instanceof Error ? cause.message : String(cause) };
}

/** Held by this module alone: no other module can make a CheckedDataDir without the probe. */
const probed: unique symbol = Symbol('probed');

/** A DynamoDB store's directory that checkDynamoDbDataDir opened and found sound. */
export class CheckedDataDir {
  readonly path: string;

  constructor(path: string, proof: typeof probed) {
    if (proof !== probed) throw new TypeError('a CheckedDataDir is made by checkDynamoDbDataDir only');
    this.path = path;
  }
}

/**
 * Opens and closes the LevelDB store in `dataDir` (creating it when empty).
 * @returns the directory as a CheckedDataDir, which the local DynamoDB does not open again
 * @throws StateFileError naming `<dataDir>/CURRENT` when the store is damaged, or the directory when it is locked or unreadable.
 */
export async function checkDynamoDbDataDir(dataDir: string): Promise<CheckedDataDir> {
  const Level = levelConstructor();
  const store = new Level(dataDir, { valueEncoding: 'json' });
  try {
    await store.open();
  } catch (error) {
    const reason = levelReason(error);
    // LevelDB's own texts carry the file it choked on; they hold no table data.
    const message = reason.message.replace(/\s+/g, ' ').trim();
    if (reason.code === 'LEVEL_LOCKED') {
      throw new StateFileError(dataDir, 'is in use by another process', 'stop the other stack that uses this state dir, or set LABELCAST_STATE_DIR to another one', { cause: error });
    }
    if (reason.code === 'LEVEL_CORRUPTION') {
      throw new StateFileError(path.join(dataDir, 'CURRENT'), `is damaged (${message})`, 'restore the dynamodb directory from a backup, or delete it to start with empty tables', { cause: error });
    }
    throw new StateFileError(dataDir, `cannot be opened as the DynamoDB store (${message})`, 'restore the dynamodb directory from a backup, or delete it to start with empty tables', { cause: error });
  }
  await store.close();
  return new CheckedDataDir(dataDir, probed);
}
