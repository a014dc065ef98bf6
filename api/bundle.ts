/**
 * Bundles one APPSYNC_JS resolver or pipeline function with esbuild, the way
 * AppSync's docs recommend: ESM, one file, an inline source map without
 * sources, and every `@aws-appsync/*` import (`@aws-appsync/utils`,
 * `@aws-appsync/utils/dynamodb`) left as an import, since those modules are
 * built into the runtime. infra/ deploys exactly this text; the local AppSync
 * checks and runs the same text (local/appsync/resolvers/).
 */
import { build, buildSync, type BuildOptions, type BuildResult } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Modules the APPSYNC_JS runtime provides; a bundle imports them, never includes them. */
export const appSyncBuiltinModules = ['@aws-appsync/utils', '@aws-appsync/utils/dynamodb'] as const;

export interface BundleResolverArgs {
  /** Code file relative to the repo root (as in api/manifest.ts), or absolute. */
  readonly code: string;
}

export interface ResolverBundle {
  /** The code AppSync receives: ESM with an inline source map (no sources content). */
  readonly text: string;
  /** Files esbuild read into the bundle, relative to the repo root (or absolute outside it), from its metafile. */
  readonly inputs: readonly string[];
}

/** esbuild's options for a code file's bundle, one definition for bundleResolverWithInputs and buildResolverWithInputs. */
const resolverBuildOptions = (code: string) =>
  ({
    absWorkingDir: repoRoot,
    entryPoints: [code],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
    metafile: true,
    // A package name also covers its subpaths: @aws-appsync/utils/dynamodb stays an import too.
    external: ['@aws-appsync/utils'],
  }) satisfies BuildOptions;

function resolverBundleOf(code: string, result: BuildResult<ReturnType<typeof resolverBuildOptions>>): ResolverBundle {
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${code}`);
  return { text: output.text, inputs: Object.keys(result.metafile.inputs) };
}

/** Bundles a code file and reports what went into it. */
export function bundleResolverWithInputs(args: BundleResolverArgs): ResolverBundle {
  return resolverBundleOf(args.code, buildSync(resolverBuildOptions(args.code)));
}

/**
 * bundleResolverWithInputs through esbuild's async API: the same text, made by the service process esbuild starts
 * from this thread, which its `stop()` ends (buildSync's runs under esbuild's worker thread; see
 * local/appsync/resolvers/bundle-cache.ts).
 */
export async function buildResolverWithInputs(args: BundleResolverArgs): Promise<ResolverBundle> {
  return resolverBundleOf(args.code, await build(resolverBuildOptions(args.code)));
}

/** The code AppSync receives for a code file. */
export function bundleResolver(args: BundleResolverArgs): string {
  return bundleResolverWithInputs(args).text;
}
