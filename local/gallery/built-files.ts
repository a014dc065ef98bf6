/**
 * The gallery's built files, each read from disk once while it stays the same file, and served from memory.
 *
 * Reading them per request cost a copy of the file per request, held until its answer was sent: 2,000 pipelined
 * GETs of the 221 KB bundle in one write, never read, took the stack from 250 to 681 MiB (attacker review, F2).
 * Kept here, every answer sends the one Buffer (Node queues a reference, not a copy), and requests that arrive while
 * a file is read share that read.
 *
 * The build can change under a running server: another start of the same checkout renames a new build into
 * dist/ (gallery/build.ts), and `npm run gallery:build` rewrites it in place. So every request stats its file (no
 * read, no copy) and a kept copy serves only while the file is the one it was read from (device, inode, size and
 * modification time); otherwise it is dropped and the file read again. Without that, a rebuilt gallery kept
 * serving the old index.html, whose hashed bundle names were gone (404) until the stack restarted.
 *
 * What is kept is bounded in bytes: a file past what is left is not kept (`tooLarge`), and the server streams it.
 * Only files are kept: a name that is no file is forgotten once answered, so the names a client asks cost nothing.
 */
import { readFile, stat } from 'node:fs/promises';

/** A file the bound leaves no room for: served from disk. */
export const tooLarge = Symbol('too large to keep');

type FileBody = Buffer | typeof tooLarge | undefined;

interface KeptFile {
  readonly bytes: Buffer;
  /** Which file the bytes were read from: device, inode, size and modification time. */
  readonly identity: string;
}

export class BuiltFiles {
  readonly #kept = new Map<string, KeptFile>();
  /** Reads under way, by file and identity: requests for the same file as it is now share one. */
  readonly #reads = new Map<string, Promise<FileBody>>();
  #keptBytes = 0;

  public constructor(private readonly maxKeptBytes: number) {}

  /** The bytes of `file` as it is now; `tooLarge` when they do not fit in the bound; undefined when it is no readable file. */
  public async read(file: string): Promise<FileBody> {
    let identity: string;
    let size: number;
    try {
      const stats = await stat(file);
      if (!stats.isFile()) return this.#forget(file);
      identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
      size = stats.size;
    } catch {
      // Missing, or a name the file system refuses (too long): no file.
      return this.#forget(file);
    }
    const kept = this.#kept.get(file);
    if (kept?.identity === identity) return kept.bytes;
    const readKey = `${file}\u0000${identity}`;
    let reading = this.#reads.get(readKey);
    if (!reading) {
      reading = this.#load(file, identity, size).finally(() => this.#reads.delete(readKey));
      this.#reads.set(readKey, reading);
    }
    return reading;
  }

  /** Drops what is kept of `file`; undefined, for a name that is no file. */
  #forget(file: string): undefined {
    const kept = this.#kept.get(file);
    if (kept) {
      this.#kept.delete(file);
      this.#keptBytes -= kept.bytes.length;
    }
    return undefined;
  }

  async #load(file: string, identity: string, size: number): Promise<FileBody> {
    // The copy this replaces goes first, so that its bytes leave room for the new ones.
    this.#forget(file);
    if (this.#keptBytes + size > this.maxKeptBytes) return tooLarge;
    // Counted before the read, so that reads under way together cannot pass the bound between them.
    this.#keptBytes += size;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      this.#keptBytes -= size;
      return undefined;
    }
    this.#keptBytes += bytes.length - size;
    // Another identity's read that ended meanwhile made way for this one: the later read is the one kept.
    this.#forget(file);
    this.#kept.set(file, { bytes, identity });
    return bytes;
  }
}
