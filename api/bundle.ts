/**
 * Bundles one APPSYNC_JS resolver or pipeline function with esbuild, the way
 * AppSync's docs recommend: ESM, one file, `@aws-appsync/utils` left as an
 * import (AppSync provides it). The local stack passes `utilsModule` to alias
 * that import to its own runtime instead.
 */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface BundleResolverArgs {
  /** Code file relative to the repo root, as in api/manifest.ts. */
  readonly code: string;
  /** Absolute path of a module to serve `@aws-appsync/utils`; kept external when omitted. */
  readonly utilsModule?: string;
}

export function bundleResolver(args: BundleResolverArgs): string {
  const result = buildSync({
    absWorkingDir: repoRoot,
    entryPoints: [args.code],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
    ...(args.utilsModule
      ? { alias: { '@aws-appsync/utils': args.utilsModule } }
      : { external: ['@aws-appsync/utils'] }),
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${args.code}`);
  return output.text;
}
