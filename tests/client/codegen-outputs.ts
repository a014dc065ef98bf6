/**
 * What `npm run codegen` writes for the repository as it is now, for tests/client/codegen.test.ts: generated in
 * memory by @graphql-codegen/cli, or recalled from an earlier generation from exactly the same inputs.
 *
 * Why: loading @graphql-codegen/cli (graphql-config, the URL/GitHub/Apollo loaders, babel, yaml, …) costs about
 * 3.5 s of CPU and generating about 1 s, in every run of the unit tests, for output that changes only when one of
 * its inputs does. Generation is a pure function of the codegen config, the schema and operation files it reads and
 * the installed codegen packages; the key below hashes all of them, so any change to one generates again (and a
 * stale checked-in file still fails the test). Inputs the key cannot list (a document pattern other than
 * `dir/*.ext`, a schema entry that is neither a file nor SDL: a glob, a URL, a directory, a path that moved) are never recalled: they are generated each time, as before.
 * The key names files relative to the repository's root, and one cache directory serves every checkout beside the
 * same node_modules: a fresh clone recalls what another checkout generated from the same inputs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { parse } from 'graphql';

/** One generated file: its path as codegen names it, and its text. */
export interface GeneratedFile {
  readonly filename: string;
  readonly content: string;
}

/** Bumped when what this module stores, or how it keys it, changes. */
const formatVersion = 2;

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The files a document pattern names, or undefined for a pattern this module cannot expand exactly. */
function documentFiles(repoRoot: string, pattern: unknown): string[] | undefined {
  if (typeof pattern !== 'string') return undefined;
  const match = /^([\w./-]+)\/\*(\.\w+)$/.exec(pattern);
  if (!match) return undefined;
  const [, dir, extension] = match;
  const absolute = path.join(repoRoot, dir!);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension!))
    .map((entry) => path.join(absolute, entry.name))
    .sort();
}

/** The installed version of every @graphql-codegen package (a reinstall without a lock file change shows here). */
function codegenPackageVersions(repoRoot: string): Record<string, string> {
  const scope = path.join(repoRoot, 'node_modules', '@graphql-codegen');
  return Object.fromEntries(
    readdirSync(scope)
      .sort()
      .map((name) => [name, (JSON.parse(readFileSync(path.join(scope, name, 'package.json'), 'utf8')) as { version: string }).version]),
  );
}

/** Whether a schema entry is SDL text (codegen reads it as such, and it is in the config's JSON already). */
function isSdl(entry: string): boolean {
  try {
    return parse(entry).definitions.length > 0;
  } catch {
    return false;
  }
}

/** Whether `file` is a file; false when it is not there or cannot be looked at (ENOTDIR, ENAMETOOLONG, EACCES…). */
function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/**
 * A hash of everything the generation reads, or undefined when the config names inputs it cannot list. Paths in it
 * are relative to `repoRoot`, so checkouts with the same inputs share a key: what codegen writes is compared with
 * checked-in files, the same in every checkout, so it cannot depend on where the checkout lies.
 */
export function inputsKey(repoRoot: string, config: CodegenConfig): string | undefined {
  const hash = createHash('sha256');
  const inRepo = (file: string) => path.relative(repoRoot, file);
  hash.update(`${formatVersion}\n${JSON.stringify(config).replaceAll(JSON.stringify(path.join(repoRoot, path.sep)).slice(1, -1), '<repo>/')}\n`);
  // Schema entries are file paths (read) or SDL text (already in the config's JSON); anything else (a glob, a URL, a
  // directory, a file that is not there) reads what the key cannot see.
  for (const entry of asList(config.schema)) {
    if (typeof entry !== 'string') return undefined;
    if (isSdl(entry)) continue;
    const file = path.resolve(repoRoot, entry);
    if (!isFile(file)) return undefined;
    hash.update(`${inRepo(file)}\n${readFileSync(file, 'utf8')}\n`);
  }
  for (const pattern of asList(config.documents)) {
    const files = documentFiles(repoRoot, pattern);
    if (!files) return undefined;
    for (const file of files) hash.update(`${inRepo(file)}\n${readFileSync(file, 'utf8')}\n`);
  }
  hash.update(JSON.stringify(codegenPackageVersions(repoRoot)));
  hash.update(readFileSync(path.join(repoRoot, 'package-lock.json')));
  return hash.digest('hex');
}

/** Generates in memory (saveToFile false), from `repoRoot` as npm runs it. */
async function generateNow(repoRoot: string, config: CodegenConfig): Promise<GeneratedFile[]> {
  const { generate } = await import('@graphql-codegen/cli');
  const outputs: Types.FileOutput[] = await generate({ ...config, cwd: repoRoot, silent: true }, false);
  return outputs.map(({ filename, content }) => ({ filename, content }));
}

/** The files `npm run codegen` writes now, and whether they were recalled rather than generated. */
export async function codegenOutputs(repoRoot: string, config: CodegenConfig): Promise<{ files: GeneratedFile[]; recalled: boolean }> {
  const key = inputsKey(repoRoot, config);
  if (key === undefined) return { files: await generateNow(repoRoot, config), recalled: false };
  // One directory for every checkout: the key holds no path of one (inputsKey).
  const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'labelcast', 'codegen-check', 'shared');
  const cached = path.join(cacheDir, `${key}.json`);
  if (existsSync(cached)) return { files: JSON.parse(readFileSync(cached, 'utf8')) as GeneratedFile[], recalled: true };
  const files = await generateNow(repoRoot, config);
  // Whole or not at all: a reader never sees half a file.
  const partial = `${cached}.${process.pid}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(partial, JSON.stringify(files));
    renameSync(partial, cached);
  } catch {
    // A read-only node_modules, a full disk: generated again next time, and no half-written file left behind.
    rmSync(partial, { force: true });
  }
  return { files, recalled: false };
}
