/**
 * Cuts a bundle's source map down to the repo's own sources: the mappings into files of node_modules go, and so do
 * those files' names. The Lambda functions run with --enable-source-maps, and node decodes a bundle's whole map at
 * the first stack trace that names it and keeps it for the process's life: the labeler's, 689 sources of which 47
 * are ours, cost each process +12.8 MiB of V8 heap and +26 MiB of RSS (bench/source-map-cost.ts). With our sources
 * only, a frame in our code still names its .ts file and line; a frame in a dependency names the bundle's line and
 * column (there is no map of the AWS SDK's or Powertools' own code to read it against anyway: the map never held
 * their text).
 *
 * A dropped run of mappings leaves one unmapped segment (a generated column alone) where it began: node looks a
 * position up as the last mapping at or before it, so without that a dependency's frame would be named after the
 * last piece of our code bundled before it.
 *
 * esbuild has no option to leave node_modules out of a map (0.28: sourcemap, sourceRoot, sourcesContent only;
 * evanw/esbuild#1685, #3310). The plugin suggested there (an empty inline map appended to each dependency's file)
 * cannot run in a deploy, whose NodejsFunction runs esbuild's CLI, which takes no plugins; so this runs after the build: in the offline build (./bundle-build.js, the `ownSourcesOnly`
 * option) and as the deployed functions' afterBundling hook (infra/manifest-function.ts), both asked by
 * ./function-bundle-options.ts. The hook runs ./own-source-map-command.js.
 *
 * Plain JavaScript, like ./bundle-build.js: node runs it without a loader, in the hook's command and in the build's
 * child process.
 */
import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { decode, encode } from '@jridgewell/sourcemap-codec';

/**
 * Whether `file` (absolute) is one of the repo's own sources: inside `repoRoot`, not under a node_modules of it.
 * @param {string} repoRoot
 * @param {string} file
 */
export function isOwnSource(repoRoot, file) {
  const relative = path.relative(repoRoot, file);
  if (relative === '' || relative.startsWith(`..${path.sep}`) || relative === '..' || path.isAbsolute(relative)) return false;
  return !relative.split(path.sep).includes('node_modules');
}

/**
 * The map `map` (parsed), lying at `mapFile`, with the mappings and names of the repo's own sources only.
 * @param {import('./own-source-map.js').SourceMap} map
 * @param {{ readonly repoRoot: string, readonly mapFile: string }} where
 * @returns {import('./own-source-map.js').SourceMap}
 */
export function ownSourcesOnly(map, { repoRoot, mapFile }) {
  // Sources are relative to sourceRoot when there is one (offline: where the build will lie), else to the map's file.
  const base = map.sourceRoot ? map.sourceRoot : pathToFileURL(mapFile).href;
  const own = map.sources.map((source) => {
    if (source === null) return false;
    const url = new URL(source, base);
    return url.protocol === 'file:' && isOwnSource(repoRoot, fileURLToPath(url));
  });
  /** @type {number[]} new index of each kept source, -1 for a dropped one */
  const sourceIndex = [];
  let keptSources = 0;
  for (const keep of own) sourceIndex.push(keep ? keptSources++ : -1);
  /** @type {Map<number, number>} */
  const nameIndex = new Map();
  const names = [];
  // Whether the last segment kept maps into our code: then a dropped run after it starts with an unmapped segment.
  let lastKeptIsOwn = false;
  const lines = decode(map.mappings).map((line) => {
    const kept = [];
    for (const segment of line) {
      if (segment.length === 1 || sourceIndex[segment[1]] === -1) {
        if (lastKeptIsOwn) kept.push([segment[0]]);
        lastKeptIsOwn = false;
        continue;
      }
      const [column, source, sourceLine, sourceColumn] = segment;
      if (segment.length === 5) {
        let name = nameIndex.get(segment[4]);
        if (name === undefined) {
          name = names.push(map.names[segment[4]]) - 1;
          nameIndex.set(segment[4], name);
        }
        kept.push([column, sourceIndex[source], sourceLine, sourceColumn, name]);
      } else {
        kept.push([column, sourceIndex[source], sourceLine, sourceColumn]);
      }
      lastKeptIsOwn = true;
    }
    return kept;
  });
  // node 20 reads an unmapped segment that ends the mappings as a copy of the mapping before it (name and all):
  // an empty line after it keeps it unmapped.
  if (lines.findLast((line) => line.length > 0)?.at(-1)?.length === 1) lines.push([]);
  const keep = (_value, index) => own[index];
  return {
    ...map,
    sources: map.sources.filter(keep),
    ...(map.sourcesContent ? { sourcesContent: map.sourcesContent.filter(keep) } : {}),
    names,
    mappings: encode(lines),
    // Indices into the sources (none in esbuild's maps today): renumbered, those of dropped sources gone.
    ...(map.ignoreList ? { ignoreList: map.ignoreList.map((index) => sourceIndex[index]).filter((index) => index !== undefined && index >= 0) } : {}),
  };
}

/**
 * Rewrites each `*.map` file directly in `directory` with the repo's own sources only (ownSourcesOnly).
 * @param {string} repoRoot
 * @param {string} directory
 * @returns {string[]} the files rewritten
 */
export function keepOwnSourcesIn(repoRoot, directory) {
  const files = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.map'))
    .map((entry) => path.join(directory, entry.name));
  // esbuild writes real paths: a root reached through a symlink would match none of them.
  const root = realpathSync(repoRoot);
  for (const mapFile of files) {
    const map = JSON.parse(readFileSync(mapFile, 'utf8'));
    const cut = ownSourcesOnly(map, { repoRoot: root, mapFile });
    // A function's bundle always holds its own handler: a map left with no source means the root did not match.
    if (cut.sources.length === 0) throw new Error(`${mapFile}: none of its ${map.sources.length} sources lies in ${root} outside node_modules`);
    writeFileSync(mapFile, JSON.stringify(cut));
  }
  return files;
}
