/**
 * The import graph of the source folders, and the cycles in it, for tests/source/import-cycles.test.ts.
 *
 * Each file's imports come from TypeScript's own pre-processor (ts.preProcessFile: the scanner only, no parse
 * tree): static imports and re-exports, type-only ones included, `import()` in code and in types, and
 * `require()`. Each is resolved as tsc resolves it (ts.resolveModuleName with the project's tsconfig.json).
 * madge did the same with a full ESTree parse of every file: the same 1,026 edges between the same 370
 * files (checked once when this replaced it), for about 1 CPU-s instead of 8.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Each source file and the source files it imports, by path relative to the root (`/` separated). */
export type ImportGraph = Readonly<Record<string, readonly string[]>>;

/** The `.ts` files under `folders` of `root` and their imports of each other; packages are left out. */
export function importGraph(root: string, folders: readonly string[]): ImportGraph {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), (file) => ts.sys.readFile(file));
  if (configFile.error) throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(configFile.error.messageText, '\n')}`);
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const host = ts.createCompilerHost(options);
  const resolutionCache = ts.createModuleResolutionCache(root, (fileName) => fileName, options);
  const relative = (file: string) => path.relative(root, file).split(path.sep).join('/');

  const graph: Record<string, string[]> = {};
  for (const file of folders.flatMap((folder) => sourceFiles(path.join(root, folder)))) {
    const imported = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles;
    const targets = new Set<string>();
    for (const { fileName } of imported) {
      const resolved = ts.resolveModuleName(fileName, file, options, host, resolutionCache).resolvedModule;
      if (resolved && !resolved.isExternalLibraryImport) targets.add(relative(resolved.resolvedFileName));
    }
    graph[relative(file)] = [...targets].sort();
  }
  return graph;
}

/** The `.ts` files under a folder, at any depth, outside node_modules. */
function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.split(path.sep).includes('node_modules'))
    .map((name) => path.join(folder, name));
}

/**
 * The cycles of a graph, each as the files along it from its first file back to that file (`a > b > a`).
 * A depth-first walk reports a cycle at each edge back to a file still on its path, so every file on a cycle is
 * in at least one cycle reported (not every distinct cycle through the same files is).
 */
export function importCycles(graph: ImportGraph): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (file: string) => {
    const at = onPath.indexOf(file);
    if (at !== -1) {
      cycles.push([...onPath.slice(at), file].join(' > '));
      return;
    }
    if (done.has(file)) return;
    onPath.push(file);
    for (const target of graph[file] ?? []) visit(target);
    onPath.pop();
    done.add(file);
  };
  for (const file of Object.keys(graph).sort()) visit(file);
  return cycles;
}
