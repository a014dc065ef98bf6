/**
 * Resolver bundles that passed the APPSYNC_JS check (api/appsync-js-check.ts),
 * remembered in `node_modules/.cache/labelcast/appsync-js-check/` so that a
 * stack start whose resolvers did not change skips ESLint: loading it and
 * linting every bundle took about 1.3 s of CPU at each start, and the tests
 * start many stacks.
 *
 * The key is a SHA-256 of the checker (api/appsync-js-check.ts's source, the
 * versions of eslint and @aws-appsync/eslint-plugin) and of the bundle's text,
 * so an edited resolver, an edited rule or an upgraded plugin is checked
 * again: the same text under the same rules gets the same verdict. Only passes
 * are kept; a refused bundle is checked each time, to name its violations. A
 * cache that cannot be read or written (a read-only node_modules) only means
 * every bundle is checked, as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertResolverBundle } from '../../../api/appsync-js-check.ts';
import { repoRoot, type ResolverBundle } from '../../../api/bundle.ts';

export const defaultCheckCacheDir = path.join(repoRoot, 'node_modules', '.cache', 'labelcast', 'appsync-js-check');

const checkerSource = fileURLToPath(new URL('../../../api/appsync-js-check.ts', import.meta.url));
const rulePackages = ['eslint', '@aws-appsync/eslint-plugin'] as const;

let checkerDigest: string | undefined;
/** What the verdict depends on besides the bundle: the checker's rules and the linter that runs them. */
function checker(): string {
  if (checkerDigest === undefined) {
    const resolve = createRequire(path.join(repoRoot, 'package.json')).resolve;
    const hash = createHash('sha256').update(readFileSync(checkerSource));
    for (const name of rulePackages) {
      const manifest = JSON.parse(readFileSync(resolve(`${name}/package.json`), 'utf8')) as { version?: string };
      hash.update(`\0${name}@${manifest.version}`);
    }
    checkerDigest = hash.digest('hex');
  }
  return checkerDigest;
}

export interface CheckCacheOptions {
  /** @default node_modules/.cache/labelcast/appsync-js-check */
  readonly cacheDir?: string;
  /** The check itself (a seam for tests). @default assertResolverBundle */
  readonly check?: (code: string, bundle: ResolverBundle) => void;
}

/**
 * assertResolverBundle, skipped for a bundle text that passed it before under the same rules.
 * Throws AppSyncJsCheckError for code AppSync would refuse.
 */
export function assertResolverBundleCached(code: string, bundle: ResolverBundle, options: CheckCacheOptions = {}): void {
  const { cacheDir = defaultCheckCacheDir, check = assertResolverBundle } = options;
  let marker: string | undefined;
  try {
    marker = path.join(cacheDir, createHash('sha256').update(checker()).update('\0').update(bundle.text).digest('hex'));
    if (existsSync(marker)) return;
  } catch {
    // No digest (a package manifest unreadable): check, and keep nothing.
    marker = undefined;
  }
  check(code, bundle);
  if (marker === undefined) return;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(marker, '');
  } catch {
    // Not kept: the next start checks this bundle again.
  }
}
