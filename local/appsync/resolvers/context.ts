/**
 * The `ctx` object handlers receive, as AppSync documents it: arguments/args,
 * identity, source, stash (one per field, shared along a pipeline), prev,
 * result, error, info, request, env.
 */
import type { DataSourceError } from '../data-sources/errors.ts';

export interface ContextBase {
  readonly arguments: Record<string, unknown>;
  readonly identity: Record<string, unknown> | null;
  readonly source: unknown;
  readonly stash: Record<string, unknown>;
  readonly info: unknown;
  readonly request: unknown;
  /** The API's environment variables (`ctx.env`). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface HandlerContext {
  readonly env: Record<string, string>;
  readonly arguments: Record<string, unknown>;
  readonly args: Record<string, unknown>;
  readonly identity: Record<string, unknown> | null;
  readonly source: unknown;
  readonly stash: Record<string, unknown>;
  readonly prev: { readonly result: unknown };
  readonly result: unknown;
  readonly error?: DataSourceError;
  readonly info: unknown;
  readonly request: unknown;
}

export function handlerContext(
  base: ContextBase,
  step: { readonly prevResult?: unknown; readonly result?: unknown; readonly error?: DataSourceError },
): HandlerContext {
  return {
    env: { ...base.env },
    arguments: base.arguments,
    args: base.arguments,
    identity: base.identity,
    source: base.source ?? null,
    stash: base.stash,
    prev: { result: step.prevResult ?? null },
    result: step.result ?? null,
    ...(step.error ? { error: step.error } : {}),
    info: base.info,
    request: base.request,
  };
}

/** What util.authType() answers for a caller's identity. */
export function authTypeOf(identity: Record<string, unknown> | null): string {
  if (!identity) return 'API Key Authorization';
  if ('resolverContext' in identity) return 'Lambda Authorization';
  if ('userArn' in identity || 'accountId' in identity) return 'IAM Authorization';
  if ('username' in identity || 'defaultAuthStrategy' in identity) return 'User Pool Authorization';
  return 'Open ID Connect Authorization';
}
