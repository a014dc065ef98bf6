/**
 * A copy of resolvers/ in a temp folder, for starting the stack with changed
 * resolvers through LABELCAST_RESOLVERS_DIR (local/config.ts). Its `../api/`
 * imports are made absolute so they resolve from there.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../api/bundle.ts';

export interface ResolversCopy {
  /** The folder to hand LABELCAST_RESOLVERS_DIR. */
  readonly dir: string;
  /** Replaces `from` with `to` in one file of the copy (e.g. `Query.image.ts`); throws when `from` is not there. */
  edit(file: string, from: string, to: string): string;
  remove(): void;
}

export function copyOfResolvers(): ResolversCopy {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-resolvers-'));
  cpSync(path.join(repoRoot, 'resolvers'), dir, { recursive: true });
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/'(\.\.\/)+api\//g, `'${path.join(repoRoot, 'api')}/`));
  }
  return {
    dir,
    edit(file, from, to) {
      const target = path.join(dir, file);
      const source = readFileSync(target, 'utf8');
      if (!source.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
      const edited = source.replace(from, to);
      writeFileSync(target, edited);
      return edited;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
