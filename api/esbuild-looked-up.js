/**
 * The files besides its inputs that decide what esbuild makes of them, for the bundle cache (./cached-bundle.js) to
 * fingerprint with the inputs: a change to any of them builds again. esbuild's metafile names only the files it
 * bundled, yet it also reads, for our files, the nearest tsconfig.json or jsconfig.json (and the ones it `extends`:
 * useDefineForClassFields, jsx, paths, …) and the package.json files above them (type, sideEffects, imports); and,
 * for a package's files, the package.json files of that package (main fields, exports, type, sideEffects).
 *
 * Each one is named whether it exists or not: one that appears later (a tsconfig.json nearer to a source) builds
 * again too. So does the listing of each directory of our inputs (its modification time): a file added there may
 * now be the one an import resolves to (`./x` to a new x.ts rather than x/index.ts).
 *
 * One stat each at every start: a few hundred for the stack's bundle, well under the ms they take to read.
 *
 * Plain JavaScript, like the launchers that use it (node runs them without a loader).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const nodeModules = `${path.sep}node_modules${path.sep}`;

/** The configuration files esbuild looks for in each directory above one of our files. */
const ownConfigNames = ['package.json', 'tsconfig.json', 'jsconfig.json'];

/**
 * A tsconfig.json's data: JSON with comments and trailing commas, as tsc and esbuild read it; undefined when it
 * cannot be read or parsed (esbuild then refused it, or ignored it: its own fingerprint covers it).
 * @param {string} file
 * @returns {unknown}
 */
function readJsonWithComments(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let json = '';
  for (let at = 0; at < text.length; at += 1) {
    if (text[at] === '"') {
      const start = at;
      for (at += 1; at < text.length && text[at] !== '"'; at += 1) if (text[at] === '\\') at += 1;
      json += text.slice(start, at + 1);
    } else if (text.startsWith('//', at)) {
      at = text.indexOf('\n', at);
      if (at === -1) at = text.length;
      json += '\n';
    } else if (text.startsWith('/*', at)) {
      const end = text.indexOf('*/', at + 2);
      at = end === -1 ? text.length : end + 1;
      json += ' ';
    } else {
      json += text[at];
    }
  }
  try {
    return JSON.parse(json.replace(/,(\s*[}\]])/g, '$1'));
  } catch {
    return undefined;
  }
}

/**
 * The file an `extends` of a tsconfig.json in `directory` names: a path, or a package's file; undefined when it
 * resolves to nothing (esbuild then refused the build, or ignored it).
 * @param {string} directory
 * @param {string} target
 * @returns {string | undefined}
 */
function extendedFile(directory, target) {
  if (target.startsWith('.') || path.isAbsolute(target)) {
    const file = path.resolve(directory, target);
    return file.endsWith('.json') || existsSync(file) ? file : `${file}.json`;
  }
  const { resolve } = createRequire(path.join(directory, 'tsconfig.json'));
  for (const candidate of [target, `${target}.json`, `${target}/tsconfig.json`]) {
    try {
      return resolve(candidate);
    } catch {
      // the next form
    }
  }
  return undefined;
}

/**
 * Adds `tsconfig` and every file it extends, directly or not, to `files`.
 * @param {string} tsconfig
 * @param {Set<string>} files
 */
function addExtendsChain(tsconfig, files) {
  const config = readJsonWithComments(tsconfig);
  const targets = typeof config === 'object' && config !== null && 'extends' in config ? [config.extends].flat() : [];
  for (const target of targets) {
    if (typeof target !== 'string') continue;
    const file = extendedFile(path.dirname(tsconfig), target);
    if (file === undefined || files.has(file)) continue;
    files.add(file);
    addExtendsChain(file, files);
  }
}

/**
 * What esbuild looked up besides `inputs` (absolute paths of the files it bundled): configuration files, present or
 * not, and the directories of our own inputs (their listings). Never one of `inputs`.
 * @param {readonly string[]} inputs
 * @returns {string[]}
 */
export function lookedUpBy(inputs) {
  const files = new Set();
  const visited = new Set();
  for (const input of inputs) {
    const packageAt = input.lastIndexOf(nodeModules);
    if (packageAt !== -1) {
      // A package's file: the package.json files from its directory up to the package's own (`@scope/name`).
      const [first, second] = input.slice(packageAt + nodeModules.length).split(path.sep);
      const packageRoot = input.slice(0, packageAt + nodeModules.length) + (first.startsWith('@') ? path.join(first, second) : first);
      for (let directory = path.dirname(input); directory.length >= packageRoot.length && !visited.has(directory); directory = path.dirname(directory)) {
        visited.add(directory);
        files.add(path.join(directory, 'package.json'));
      }
      continue;
    }
    files.add(path.dirname(input));
    for (let directory = path.dirname(input); !visited.has(directory); directory = path.dirname(directory)) {
      visited.add(directory);
      for (const name of ownConfigNames) files.add(path.join(directory, name));
      if (path.dirname(directory) === directory) break;
    }
  }
  for (const file of [...files]) {
    if (/[/\\](tsconfig|jsconfig)\.json$/.test(file) && existsSync(file)) addExtendsChain(file, files);
  }
  for (const input of inputs) files.delete(input);
  return [...files];
}
