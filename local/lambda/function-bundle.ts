/**
 * A function's code as Lambda runs it: one esbuild bundle of its handler,
 * built the way `cdk deploy` builds it (infra/manifest-function.ts: ESM,
 * minified, a source map, the require() shim, native modules left out of the
 * bundle), and the host that answers the runtime's invocations
 * (function-host.ts), bundled beside it. The local runtime runs both with
 * plain node: no TypeScript loader in a function's process, which would cost
 * each one ~40 MiB (tsx's module-hooks thread and its esbuild service) that
 * a Lambda sandbox does not spend.
 *
 * Native modules (api/manifest.ts `nativeModules`, e.g. sharp) are what
 * infra/ installs into the asset for Lambda's platform; offline they are
 * imported from this repo's node_modules by absolute path, so the bundle can
 * live in the state directory.
 *
 * The build runs in a short-lived node process: esbuild's service holds
 * ~100 MiB after bundling the AWS SDK, and stopping it from the stack's
 * process leaves a zombie behind; a child that exits takes both with it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { BuildOptions } from 'esbuild';
import { repoRoot } from '../../api/bundle.ts';

/** Same as infra/manifest-function.ts: some bundled CommonJS dependencies call require(), which ESM output lacks. */
const requireShim = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

const hostSource = fileURLToPath(new URL('./function-host.ts', import.meta.url));

/** A bundle that could not be built: the function cannot start, as a deploy of it would fail. */
export class FunctionBundleError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FunctionBundleError';
  }
}

export interface FunctionBundlesArgs {
  /** Absolute path of each function's handler module, by function name. */
  readonly entries: Readonly<Record<string, string>>;
  /** Where the bundles are written (created when missing): `<name>.mjs` each, and `_host.mjs`. */
  readonly outDir: string;
  /** Package names imported from node_modules instead of bundled. @default [] */
  readonly nativeModules?: readonly string[];
}

export interface FunctionBundles {
  /** The host process's entry: fork it with a handler's path and the function's name. */
  readonly host: string;
  /** Each function's handler bundle, by name. */
  readonly handlers: Readonly<Record<string, string>>;
}

/** The host's bundle, named apart from the functions' (api/manifest.ts names start with a letter). */
const hostName = '_host';

const resolveFromRepo = createRequire(path.join(repoRoot, 'package.json')).resolve;

/**
 * What the build process runs (argv: esbuild's entry, the options as JSON,
 * native module paths by name as JSON): the build, with the native modules
 * resolved to their files and left out; esbuild's error text on stderr.
 */
const buildScript = `
const [esbuildEntry, optionsJson, nativeJson] = process.argv.slice(1);
const { build } = await import(esbuildEntry);
const native = JSON.parse(nativeJson);
const names = Object.keys(native);
const escaped = names.map((name) => name.replace(/[.*+?^\${}()|[\\]\\\\/]/g, '\\\\$&'));
const plugins = names.length === 0 ? [] : [{
  name: 'native-modules',
  setup: (builder) => builder.onResolve({ filter: new RegExp('^(' + escaped.join('|') + ')$') }, (args) => ({ path: native[args.path], external: true })),
}];
try {
  await build({ ...JSON.parse(optionsJson), plugins });
} catch (error) {
  process.stderr.write(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
`;

/** Builds the host and every handler in one esbuild run; rejects with a FunctionBundleError naming what failed. */
export async function bundleFunctions(args: FunctionBundlesArgs): Promise<FunctionBundles> {
  mkdirSync(args.outDir, { recursive: true });
  const options: BuildOptions = {
    absWorkingDir: repoRoot,
    entryPoints: [{ in: hostSource, out: hostName }, ...Object.entries(args.entries).map(([name, entry]) => ({ in: entry, out: name }))],
    outdir: args.outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    write: true,
    format: 'esm',
    platform: 'node',
    // The node that runs it (Lambda's bundle targets Lambda's).
    target: `node${process.versions.node}`,
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    banner: { js: requireShim },
    logLevel: 'silent',
  };
  const native = Object.fromEntries((args.nativeModules ?? []).map((name) => [name, resolveFromRepo(name)]));
  const esbuildEntry = pathToFileURL(resolveFromRepo('esbuild')).href;
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', buildScript, esbuildEntry, JSON.stringify(options), JSON.stringify(native)], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new FunctionBundleError(`could not bundle the functions: ${stderr || (error instanceof Error ? error.message : String(error))}`, { cause: error });
  }
  const file = (name: string) => path.join(args.outDir, `${name}.mjs`);
  return { host: file(hostName), handlers: Object.fromEntries(Object.keys(args.entries).map((name) => [name, file(name)])) };
}
