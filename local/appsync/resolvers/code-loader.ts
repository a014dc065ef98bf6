/**
 * Loads resolver and pipeline-function code files the way AppSync takes them:
 * bundled with esbuild exactly as infra/ deploys them (api/bundle.ts),
 * refused when AppSync would refuse them (api/appsync-js-check.ts), then
 * evaluated in a sandbox (sandbox.ts); a bundle that passed before is not
 * checked or converted again (prepared-code.ts). Each file is loaded once per
 * runtime.
 */
import path from 'node:path';
import type { FieldWiring } from '../../../api/manifest.ts';
import { bundleResolverWithInputs, type ResolverBundle } from '../../../api/bundle.ts';
import { ResolverCodeError } from '../errors.ts';
import { preparedResolverCode } from './prepared-code.ts';
import { defaultEvaluationTimeoutMs, loadSandboxed, type SandboxedCode } from './sandbox.ts';

export interface CodeLoaderOptions {
  /** Time limit of one evaluation (module load, or one request/response call). */
  readonly evaluationTimeoutMs?: number;
  /**
   * Where `resolvers/…` code files are read from instead of the repo's
   * resolvers/ folder (LABELCAST_RESOLVERS_DIR): a test seam to start the
   * stack with changed resolvers. Their imports must resolve from there.
   */
  readonly resolversDir?: string;
  /**
   * Bundles made before (bundle-cache.ts: the same api/bundle.ts call, kept between starts), by code file as the
   * manifest names it; a file not in it is bundled when it loads. Ignored when resolversDir is set: they were made
   * from the repo's resolvers/, not from there. @default none
   */
  readonly bundles?: ReadonlyMap<string, ResolverBundle>;
}

export interface CodeLoader {
  /**
   * The sandboxed handlers of a code file (relative to the repo root as in
   * api/manifest.ts, or absolute). Throws AppSyncJsCheckError for code AppSync
   * would refuse, ResolverCodeError for code that does not bundle or load.
   */
  load(code: string): SandboxedCode;
  /**
   * The bundled text of a code file, as AppSync receives it, once it has
   * loaded (it loads it if need be, with load's errors): what a DYNAMODB data
   * source's role is derived from (local/iam/data-source-roles.ts).
   */
  bundleText(code: string): string;
}

function bundleOf(code: string) {
  try {
    return bundleResolverWithInputs({ code });
  } catch (error) {
    const detail = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors
      ?.map((problem) => (problem.location ? `${problem.location.file}:${problem.location.line} ${problem.text}` : problem.text))
      .join('; ');
    throw new ResolverCodeError(code, `does not bundle: ${detail ?? (error instanceof Error ? error.message : String(error))}`, { cause: error });
  }
}

const resolversPrefix = 'resolvers/';

export function createCodeLoader(options: CodeLoaderOptions = {}): CodeLoader {
  const loaded = new Map<string, { readonly sandboxed: SandboxedCode; readonly text: string }>();
  const { resolversDir } = options;
  // Bundles of the repo's files would stand in for resolversDir's changed ones.
  const bundles = resolversDir ? undefined : options.bundles;
  const fileOf = (code: string) =>
    resolversDir && code.startsWith(resolversPrefix) ? path.resolve(resolversDir, code.slice(resolversPrefix.length)) : code;
  const loadedFile = (manifestCode: string) => {
    const code = fileOf(manifestCode);
    let entry = loaded.get(code);
    if (!entry) {
      const bundle = bundles?.get(manifestCode) ?? bundleOf(code);
      const script = preparedResolverCode(code, bundle);
      // A file that fails is not cached, so fixing it and retrying works.
      entry = { sandboxed: loadSandboxed(code, script, options.evaluationTimeoutMs ?? defaultEvaluationTimeoutMs), text: bundle.text };
      loaded.set(code, entry);
    }
    return entry;
  };
  return {
    load: (manifestCode) => loadedFile(manifestCode).sandboxed,
    bundleText: (manifestCode) => loadedFile(manifestCode).text,
  };
}

/** Every code file of `wirings` (resolvers and pipeline functions), once each, as the manifest names them. */
export function codeFilesOf(wirings: readonly FieldWiring[]): string[] {
  return [...new Set(wirings.flatMap((wiring) => [wiring.code, ...(wiring.kind === 'PIPELINE' ? wiring.steps.map((step) => step.code) : [])]))];
}

/**
 * Bundles, checks and loads every code file of `wirings` now rather than on
 * first use, so code AppSync would refuse stops the start. Every file is
 * tried, each failure collected: one start reports all the code AppSync
 * would refuse. Throws AppSyncJsCheckError (api/appsync-js-check.ts),
 * ResolverCodeError, or an AggregateError of several.
 */
export function preloadCode(loader: CodeLoader, wirings: readonly FieldWiring[]): void {
  const failures: unknown[] = [];
  for (const code of codeFilesOf(wirings)) {
    try {
      loader.load(code);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, failures.map((error) => (error instanceof Error ? error.message : String(error))).join('\n'));
}
