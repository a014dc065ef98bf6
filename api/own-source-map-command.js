/**
 * `node api/own-source-map-command.js <repoRoot> <directory>`: cuts every `*.map` directly in `directory` down to the
 * repo's own sources (./own-source-map.js). The deployed functions' afterBundling hook (infra/manifest-function.ts)
 * runs it on the asset esbuild just wrote; a directory without a map fails it, so a deploy never ships one uncut.
 */
import path from 'node:path';
import process from 'node:process';
import { keepOwnSourcesIn } from './own-source-map.js';

const [repoRoot, directory] = process.argv.slice(2);
// Exit codes rather than process.exit(), so what was written to a piped stderr is flushed.
if (!repoRoot || !directory) {
  process.stderr.write('usage: node api/own-source-map-command.js <repoRoot> <directory of the bundle and its map>\n');
  process.exitCode = 2;
} else if (keepOwnSourcesIn(path.resolve(repoRoot), path.resolve(directory)).length === 0) {
  process.stderr.write(`labelcast: no source map in ${directory} to cut down to the repo's own sources\n`);
  process.exitCode = 1;
}
