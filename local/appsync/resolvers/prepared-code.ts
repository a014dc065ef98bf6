/**
 * A resolver bundle made ready for the sandbox: checked against the APPSYNC_JS
 * rules (api/appsync-js-check.ts), then turned into the script the sandbox
 * evaluates (module-script.ts). Both steps parse the bundle with ESLint; a
 * script is remembered in `node_modules/.cache/labelcast/appsync-js-check/`
 * so that a stack start whose resolvers did not change never loads ESLint:
 * loading it, checking and converting every bundle took about 2 s of CPU at
 * each start, and the tests start many stacks.
 *
 * The key is a SHA-256 of the steps (the sources of api/appsync-js-check.ts
 * and module-script.ts, the versions of eslint and @aws-appsync/eslint-plugin)
 * and of the bundle's text: the same text under the same rules and conversion
 * gets the same verdict and script. Only passes are kept; a refused bundle is
 * checked each time, to name its violations. A cache that cannot be read or
 * written (a read-only node_modules) only means both steps run every time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertResolverBundle } from '../../../api/appsync-js-check.ts';
import { repoRoot, type ResolverBundle } from '../../../api/bundle.ts';
import { moduleFactorySource } from './module-script.ts';

export const defaultPreparedCodeDir = path.join(repoRoot, 'node_modules', '.cache', 'labelcast', 'appsync-js-check');

// api/bundle.ts: the check's import rule reads its list of the runtime's built-in modules, which the bundle text
// does not show (esbuild leaves the whole @aws-appsync/utils package external).
const stepSources = ['../../../api/appsync-js-check.ts', '../../../api/bundle.ts', './module-script.ts'].map((file) => fileURLToPath(new URL(file, import.meta.url)));
const rulePackages = ['eslint', '@aws-appsync/eslint-plugin'] as const;

let stepsDigest: string | undefined;
/** What the verdict and the script depend on besides the bundle: the rules, the conversion and the parser. */
function steps(): string {
  if (stepsDigest === undefined) {
    const resolve = createRequire(path.join(repoRoot, 'package.json')).resolve;
    const hash = createHash('sha256');
    for (const source of stepSources) hash.update(readFileSync(source)).update('\0');
    for (const name of rulePackages) {
      const manifest = JSON.parse(readFileSync(resolve(`${name}/package.json`), 'utf8')) as { version?: string };
      hash.update(`${name}@${manifest.version}\0`);
    }
    stepsDigest = hash.digest('hex');
  }
  return stepsDigest;
}

export interface PreparedCodeOptions {
  /** @default node_modules/.cache/labelcast/appsync-js-check */
  readonly cacheDir?: string;
  /** The APPSYNC_JS check (a seam for tests). @default assertResolverBundle */
  readonly check?: (code: string, bundle: ResolverBundle) => void;
}

/** The bundle's path in the cache, or undefined when no key can be made (a package manifest unreadable). */
function cachedPathOf(cacheDir: string, bundle: ResolverBundle): string | undefined {
  try {
    return path.join(cacheDir, `${createHash('sha256').update(steps()).update(bundle.text).digest('hex')}.js`);
  } catch {
    return undefined;
  }
}

function readCached(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The sandbox script of a bundle AppSync would take (module-script.ts), from the cache when this text passed
 * before. Throws AppSyncJsCheckError for code AppSync would refuse, ResolverCodeError for a module shape the
 * sandbox cannot load.
 */
export function preparedResolverCode(code: string, bundle: ResolverBundle, options: PreparedCodeOptions = {}): string {
  const { cacheDir = defaultPreparedCodeDir, check = assertResolverBundle } = options;
  const cached = cachedPathOf(cacheDir, bundle);
  const kept = cached === undefined ? undefined : readCached(cached);
  if (kept) return kept;
  check(code, bundle);
  const script = moduleFactorySource(code, bundle.text);
  if (cached === undefined) return script;
  // Whole files only: a start reading it while another writes it sees the old state or the new one.
  const own = `${cached}.${process.pid}.${randomUUID()}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(own, script);
    renameSync(own, cached);
  } catch {
    // Not kept: the next start checks and converts this bundle again.
    try {
      rmSync(own, { force: true });
    } catch {
      // nothing was written
    }
  }
  return script;
}
