/**
 * The local AppSync's resolver runtime: evaluates one field's APPSYNC_JS
 * resolver (unit or pipeline) against the data sources of api/manifest.ts.
 * The server (../server, ../realtime) calls resolveField for every field the
 * manifest wires: the root fields and nested ones such as Image.url.
 */
import type { FieldWiring, LambdaFunctionName } from '../../../api/manifest.ts';
import { createDataSources, type DataSourcesOptions } from '../data-sources/index.ts';
import { createInvocationState } from '../appsync-utils/invocation.ts';
import { createCodeLoader, preloadCode, type CodeLoader } from './code-loader.ts';
import { authTypeOf } from './context.ts';
import { evaluateField } from './evaluate.ts';

export { matchesSubscriptionFilter } from './subscription-filter.ts';

/** `ctx.identity` of an AWS_IAM caller; API_KEY callers have a null identity. */
export interface AppSyncIdentity {
  readonly accountId: string;
  readonly cognitoIdentityPoolId: string | null;
  readonly cognitoIdentityId: string | null;
  readonly sourceIp: readonly string[];
  readonly username: string;
  readonly userArn: string;
  readonly cognitoIdentityAuthType: string | null;
  readonly cognitoIdentityAuthProvider: string | null;
}

export interface FieldError {
  readonly message: string;
  readonly errorType?: string;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
}

export interface ResolveFieldArgs {
  readonly wiring: FieldWiring;
  readonly arguments: Record<string, unknown>;
  readonly source: unknown;
  readonly identity: Record<string, unknown> | null;
  readonly info: {
    readonly fieldName: string;
    readonly parentTypeName: string;
    readonly variables: Record<string, unknown>;
    readonly selectionSetList: readonly string[];
    readonly selectionSetGraphQL: string;
  };
  readonly request: { readonly headers: Record<string, string>; readonly domainName: string | null };
}

export interface ResolveFieldResult {
  /** The field's value (null on error). */
  readonly data: unknown;
  /** Errors from util.appendError, then the one from util.error (which ends the field). */
  readonly errors: readonly FieldError[];
  /** For Subscription fields: the filter set by extensions.setSubscriptionFilter, if any. */
  readonly subscriptionFilter?: unknown;
  /** For Subscription fields: the filter set by extensions.setSubscriptionInvalidationFilter, if any. */
  readonly subscriptionInvalidationFilter?: unknown;
  /** extensions.invalidateSubscriptions calls, in order. */
  readonly invalidations?: readonly unknown[];
  /** util.http.addResponseHeader(s). */
  readonly responseHeaders?: Readonly<Record<string, unknown>>;
}

export interface ResolverRuntime {
  resolveField(args: ResolveFieldArgs): Promise<ResolveFieldResult>;
}

export interface LocalResolverRuntime extends ResolverRuntime {
  /**
   * Bundles, checks and loads every code file of `wirings` now rather than on
   * first use, so code AppSync would refuse stops the start. Throws
   * AppSyncJsCheckError (api/appsync-js-check.ts) or ResolverCodeError.
   */
  preload(wirings: readonly FieldWiring[]): Promise<void>;
}

export interface ResolverRuntimeOptions {
  /** Where DynamoDB is, and how to reach it without a socket when it runs in this process. */
  readonly dynamoDb: DataSourcesOptions['dynamoDb'];
  /** data source name (api/manifest.ts) → DynamoDB table name */
  readonly tableNames: { readonly imagesTable: string };
  readonly invokeLambda: (functionName: LambdaFunctionName, payload: unknown) => Promise<unknown>;
  /** secret that protects nextTokens */
  readonly tokenSecret: string;
  /** The API's environment variables, `ctx.env` in resolvers (AppSync's `environmentVariables`). */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /** Time limit of one handler evaluation in the sandbox. @default 1000 ms */
  readonly evaluationTimeoutMs?: number;
  /** Read `resolvers/…` code files from here instead (LABELCAST_RESOLVERS_DIR, a test seam). @default the repo's resolvers/ */
  readonly resolversDir?: string;
  /**
   * Loads the code files; give one already used (local/stack.ts checks and bundles every file before
   * any service starts, to derive the data-source roles) so no file is bundled twice.
   * @default a loader of its own, with `evaluationTimeoutMs` and `resolversDir`
   */
  readonly codeLoader?: CodeLoader;
}

export function createResolverRuntime(options: ResolverRuntimeOptions): LocalResolverRuntime {
  const dataSources = createDataSources(options);
  const loader = options.codeLoader ?? createCodeLoader({ evaluationTimeoutMs: options.evaluationTimeoutMs, resolversDir: options.resolversDir });
  return {
    async resolveField(args) {
      const state = createInvocationState(authTypeOf(args.identity));
      const base = {
        arguments: args.arguments,
        identity: args.identity,
        source: args.source,
        stash: {},
        info: { ...args.info, selectionSetList: [...args.info.selectionSetList] },
        request: { headers: { ...args.request.headers }, domainName: args.request.domainName },
        env: options.environmentVariables ?? {},
      };
      const { data, error } = await evaluateField(
        { base, state, fieldName: args.info.fieldName, parentTypeName: args.info.parentTypeName },
        dataSources,
        loader,
        args.wiring,
      );
      return {
        data: error ? null : data,
        errors: error ? [...state.appendedErrors, error] : [...state.appendedErrors],
        ...(state.subscriptionFilter !== undefined ? { subscriptionFilter: state.subscriptionFilter } : {}),
        ...(state.subscriptionInvalidationFilter !== undefined
          ? { subscriptionInvalidationFilter: state.subscriptionInvalidationFilter }
          : {}),
        ...(state.invalidations.length > 0 ? { invalidations: [...state.invalidations] } : {}),
        ...(Object.keys(state.responseHeaders).length > 0 ? { responseHeaders: { ...state.responseHeaders } } : {}),
      };
    },
    async preload(wirings) {
      preloadCode(loader, wirings);
    },
  };
}
