/**
 * The functions' layering: each function folder builds on functions/shared/
 * (the image lifecycle: store, push lease, catalog, label entries, publisher,
 * callbacks) and api/, never on another function's folder, and shared/ never
 * imports a function. So a function can move, be split or be deleted alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';

const functionsDir = path.join(repoRoot, 'functions');
const folders = readdirSync(functionsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** Every relative import of `file`, resolved to a path under the repo. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)].map((match) => path.relative(repoRoot, path.resolve(path.dirname(file), match[1])));
}

describe('functions/ layering', () => {
  it.each(folders)('functions/%s imports no other function folder', (folder) => {
    const files = readdirSync(path.join(functionsDir, folder)).filter((name) => name.endsWith('.ts'));
    const allowed = folder === 'shared' ? [] : ['shared', folder];
    const crossing = files.flatMap((name) =>
      importsOf(path.join(functionsDir, folder, name))
        .filter((target) => target.startsWith('functions/'))
        .filter((target) => !allowed.includes(target.split('/')[1]) && target.split('/')[1] !== folder)
        .map((target) => `functions/${folder}/${name} → ${target}`),
    );
    expect(crossing).toEqual([]);
  });
});
