/** The image files named on the command line: files as given, directories searched recursively. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const imageExtensions = new Set(['.jpg', '.jpeg', '.png', '.webp']);

export async function imageFiles(args: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const arg of args) {
    const info = await stat(arg);
    if (!info.isDirectory()) {
      found.push(arg);
      continue;
    }
    const entries = await readdir(arg, { recursive: true, withFileTypes: true });
    const images = entries
      .filter((entry) => entry.isFile() && imageExtensions.has(path.extname(entry.name).toLowerCase()))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort();
    found.push(...images);
  }
  return found;
}
