/**
 * Loads resolver and pipeline-function code files the way AppSync gets them:
 * bundled with esbuild (api/bundle.ts), `@aws-appsync/utils` aliased to the
 * local runtime. Each file is bundled and imported once per process.
 */
import { fileURLToPath } from 'node:url';
import { bundleResolver } from '../../../api/bundle.ts';

/** A resolver's or function's handlers; APPSYNC_JS handlers are synchronous. */
export interface ResolverHandlers {
  readonly request: (ctx: unknown) => unknown;
  readonly response: (ctx: unknown) => unknown;
}

export const runtimeEntry = fileURLToPath(new URL('../runtime/index.ts', import.meta.url));

const loaded = new Map<string, Promise<ResolverHandlers>>();

async function importBundle(code: string): Promise<ResolverHandlers> {
  const bundle = bundleResolver({ code, utilsModule: runtimeEntry });
  // A data: URL keeps bundles off disk; the bundle is self-contained, so it needs no resolution.
  const url = `data:text/javascript;base64,${Buffer.from(bundle).toString('base64')}`;
  const module = (await import(/* @vite-ignore */ url)) as Partial<ResolverHandlers>;
  if (typeof module.request !== 'function' || typeof module.response !== 'function') {
    throw new Error(`${code} must export request(ctx) and response(ctx) functions`);
  }
  return { request: module.request, response: module.response };
}

/** The handlers of a code file, relative to the repo root as in api/manifest.ts. */
export function loadHandlers(code: string): Promise<ResolverHandlers> {
  let handlers = loaded.get(code);
  if (!handlers) {
    handlers = importBundle(code);
    // A failed bundle is not cached, so fixing the file and retrying works.
    handlers.catch(() => loaded.delete(code));
    loaded.set(code, handlers);
  }
  return handlers;
}
