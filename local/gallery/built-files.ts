/**
 * The gallery's built files, each read from disk once and then served from memory.
 *
 * The build (dist/) changes only at a stack's start, before the server starts, so a file's bytes read once are
 * its bytes for the server's life. Reading them per request cost a copy of the file per request, held until its
 * answer was sent: 2,000 pipelined GETs of the 221 KB bundle in one write, never read, took the stack from 250 to
 * 681 MiB (attacker review, F2). Kept here, every answer sends the one Buffer (Node queues a reference, not a
 * copy), and requests that arrive while a file is read share that read.
 *
 * What is kept is bounded in bytes: a file past what is left is not kept (`tooLarge`), and the server streams it.
 * Only files are kept: a name that is no file is forgotten once answered, so the names a client asks cost nothing.
 */
import { readFile, stat } from 'node:fs/promises';

/** A file the bound leaves no room for: served from disk. */
export const tooLarge = Symbol('too large to keep');

export class BuiltFiles {
  readonly #reads = new Map<string, Promise<Buffer | typeof tooLarge | undefined>>();
  #keptBytes = 0;

  public constructor(private readonly maxKeptBytes: number) {}

  /** The bytes of `file`; `tooLarge` when they do not fit in the bound; undefined when it is no readable file. */
  public read(file: string): Promise<Buffer | typeof tooLarge | undefined> {
    const known = this.#reads.get(file);
    if (known) return known;
    const reading = this.#load(file);
    this.#reads.set(file, reading);
    void reading.then((bytes) => {
      if (!Buffer.isBuffer(bytes)) this.#reads.delete(file);
    });
    return reading;
  }

  async #load(file: string): Promise<Buffer | typeof tooLarge | undefined> {
    let size: number;
    try {
      const stats = await stat(file);
      if (!stats.isFile()) return undefined;
      size = stats.size;
    } catch {
      // Missing, or a name the file system refuses (too long): no file.
      return undefined;
    }
    if (this.#keptBytes + size > this.maxKeptBytes) return tooLarge;
    // Counted before the read, so that reads under way together cannot pass the bound between them.
    this.#keptBytes += size;
    try {
      const bytes = await readFile(file);
      this.#keptBytes += bytes.length - size;
      return bytes;
    } catch {
      this.#keptBytes -= size;
      return undefined;
    }
  }
}
