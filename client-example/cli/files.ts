/**
 * The image files named on the command line: files as given (their bytes
 * decide whether they are images), directories searched recursively for
 * JPEG, PNG and WebP files. What a directory holds besides is reported as
 * skipped, so a folder of .gif and .tiff files does not vanish silently.
 * A path that does not exist is bad usage, found before anything is uploaded.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './errors.ts';

export const imageExtensions: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp']);

export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface FoundFiles {
  readonly images: readonly string[];
  readonly skipped: readonly SkippedFile[];
}

async function statOrRefuse(arg: string) {
  try {
    return await stat(arg);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`no such file or directory: ${arg} (check the path; nothing was uploaded)`);
    if (code === 'EACCES') throw new UsageError(`cannot read ${arg}: permission denied (nothing was uploaded)`);
    throw error;
  }
}

export async function imageFiles(args: readonly string[]): Promise<FoundFiles> {
  const images: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const arg of args) {
    const info = await statOrRefuse(arg);
    if (!info.isDirectory()) {
      images.push(arg);
      continue;
    }
    const entries = await readdir(arg, { recursive: true, withFileTypes: true });
    const files = entries
      // Hidden files (.DS_Store, editor swap files) are no one's photos: left out without a word.
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort();
    for (const file of files) {
      if (imageExtensions.has(path.extname(file).toLowerCase())) images.push(file);
      else skipped.push({ file, reason: `not a .jpg, .jpeg, .png or .webp file (labelcast takes JPEG, PNG and WebP)` });
    }
  }
  return { images, skipped };
}
