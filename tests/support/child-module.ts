/**
 * A module of this repo for a test's child node process to import (a script given with `-e`): its bundle
 * (api/cached-bundle.js: kept between runs, built again when a file it came from changes; each of our files keeps
 * its own import.meta.url, as in the stack's bundle), imported by plain node; or its source under tsx when no bundle
 * can be built or kept (a read-only node_modules).
 *
 * Why: under tsx a child spent ~0.6 s of CPU on tsx's loader and on transforming our files before it ran a line of
 * the test's script; from the bundle, ~0.1. For a child that needs its own process (a pid, a umask, a lock
 * holder), not for one that only prints (./program-output.ts runs those in a worker thread).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../api/bundle.ts';
import { checkoutCacheDir, freshBundle } from '../../api/cached-bundle.js';

/** What the child needs: node's options before `-e` (tsx's hooks, or none) and the URL its script imports. */
export interface ChildModule {
  readonly execArgv: readonly string[];
  readonly url: string;
}

/** One build a module a run, however many children import it. */
const modules = new Map<string, Promise<ChildModule>>();

async function bundledOrSource(entry: string): Promise<ChildModule> {
  const name = path.basename(entry, '.ts');
  const bundle = await freshBundle({
    repoRoot,
    entry,
    // A directory a module, at the module's own path (child-modules/local/state-dir.ts/<checkout>): a cache
    // directory records one build at a time, and two entries' paths never name the same directory (a flattened
    // name did: local/state-dir.ts and local-state/dir.ts), nor one inside another's (a module is a file).
    cacheDir: checkoutCacheDir(repoRoot, path.join('child-modules', entry)),
    bundleName: `${name}.mjs`,
    externalPackages: true,
    ownImportMetaUrl: true,
  });
  return bundle ? { execArgv: [], url: pathToFileURL(bundle).href } : { execArgv: ['--import', 'tsx'], url: pathToFileURL(path.join(repoRoot, entry)).href };
}

/**
 * `entry` (a path from the repository's root, e.g. 'local/state-dir.ts') as a child imports it.
 *
 * @example
 * const { execArgv, url } = await childModule('local/state-dir.ts');
 * execFileSync(process.execPath, [...execArgv, '--input-type=module', '-e', `const { prepareStateDir } = await import(process.argv[1]); …`, url]);
 */
export function childModule(entry: string): Promise<ChildModule> {
  let module_ = modules.get(entry);
  if (!module_) modules.set(entry, (module_ = bundledOrSource(entry)));
  return module_;
}
