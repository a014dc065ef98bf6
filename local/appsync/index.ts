/**
 * A local stand-in for AWS AppSync: GraphQL over HTTPS at `/graphql` and
 * realtime subscriptions over WSS at `/graphql/realtime`, with AppSync's auth
 * (API key by default; SigV4 and Cognito user pools, whose tokens the local
 * user pool of ../cognito issues, as additional modes), error shapes and
 * publish-on-mutation. Clients change only their endpoint and trust the CA.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { localAuthModes } from '../../api/manifest.ts';
import { identityProviderHandler, identityProviderPath, isIdentityProviderRequest, sendInternalError } from '../cognito/identity-provider.ts';
import { userPoolRoutes } from '../cognito/routes.ts';
import { userPoolApi } from '../cognito/user-pool-api.ts';
import { UserDirectory } from '../cognito/users.ts';
import { openLocalUserPool, type LoadedPool, type LocalUserPool } from '../cognito/user-pool.ts';
import type { RequestBodyOptions } from '../http-body.ts';
import { credentialStore, type CredentialStore } from '../iam/credentials.ts';
import type { PrincipalDirectory } from '../iam/principals.ts';
import { attachRealtime } from './realtime/server.ts';
import type { RealtimeTimings } from './realtime/connection.ts';
import { subscriptionDocumentBudget } from './realtime/document-budget.ts';
import { subscriptionRegistry } from './realtime/subscriptions.ts';
import type { ResolverRuntime } from './resolvers/index.ts';
import { RequestErrors } from './server/errors.ts';
import type { ResolvedMutation } from './server/execute.ts';
import { graphQLRequestHandler, sendError as sendRequestError } from './server/http.ts';
import type { GraphQLLimits } from './server/limits.ts';
import { buildServedSchema } from './server/schema.ts';
import { createRateLimiter, type RateLimiterOptions } from './server/rate-limit.ts';
import type { ApiRateLimitRule } from '../../api/rate-limit.ts';
import { loadOrCreateTls } from './tls/certificates.ts';
import { closeServer, guardRequests, guardServer, requestPathname } from '../http-boundary.ts';
import { listen } from '../listen.ts';

export interface LocalAppSyncOptions extends RequestBodyOptions {
  readonly stateDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Interface to bind; 127.0.0.1 unless told. */
  readonly host?: string;
  readonly region: string;
  readonly apiKey: string;
  /** The key pairs AWS_IAM accepts; a PrincipalDirectory also says what each may call (a plain store: the administrator). */
  readonly credentials: CredentialStore | PrincipalDirectory;
  /** The stack's admin key pair, the only signer the user pool's token endpoint admits. @default none: no one can mint tokens over HTTP */
  readonly userPoolAdmin?: CredentialStore;
  /** The user pool of `stateDir` as the start read it (local/state-files.ts), so it is not read again. @default read once listening */
  readonly userPool?: LoadedPool;
  /** The pool's users as the start read them (local/state-files.ts). @default read before listening */
  readonly userPoolUsers?: UserDirectory;
  readonly runtime: ResolverRuntime;
  /** Realtime keep-alive settings; AppSync's (5 min timeout, `ka` every minute) unless told. */
  readonly realtime?: Partial<RealtimeTimings>;
  /** Where the user pool writes what Cognito would email (sign-up codes). @default stdout */
  readonly userPoolLog?: (line: string) => void;
  /** Where unexpected failures are reported (clients only see InternalFailure); stderr unless told. */
  readonly onInternalError?: (error: unknown, where: string) => void;
  /** Query depth, resolver count and introspection settings. @default AppSync's defaults (no depth limit, 10000 resolvers, introspection on) */
  readonly limits?: GraphQLLimits;
  /** Told about each mutation result published to subscribers (npm start prints the labelled images). @default nobody */
  readonly onPublished?: (mutation: ResolvedMutation) => void;
  /**
   * A query's or mutation's deadline, for tests: AppSync's is fixed at 30 s (api/limits.ts), so the stack never sets it.
   * @default 30 000 ms
   */
  readonly requestTimeoutMs?: number;
  /**
   * The API's rate-based rule per source address (api/rate-limit.ts), as the web ACL infra/ associates with the API
   * applies it: over the GraphQL endpoint and realtime connects alike. npm start always sets it.
   * @default none: no limit, as an AppSync API with no web ACL
   */
  readonly rateLimit?: ApiRateLimitRule;
  /** The rate limit's clock and memory budget, for tests. @default Date.now, 4 MiB */
  readonly rateLimitOptions?: RateLimiterOptions;
}

export interface LocalAppSync {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  /** The CA to trust: NODE_EXTRA_CA_CERTS=<caPath>. */
  readonly caPath: string;
  /** The local user pool AMAZON_COGNITO_USER_POOLS tokens are verified against (local/cognito/). */
  readonly userPool: LocalUserPool;
  /** Where its dev-only token endpoint is (POST, SigV4 of the admin key pair): `<origin>/_local/cognito/<userPoolId>/tokens`. */
  readonly userPoolTokensUrl: string;
  /** Its Cognito Identity Provider API (sign-up, SRP sign-in, refresh, sign-out): Amplify's `Auth.Cognito.userPoolEndpoint`. */
  readonly userPoolEndpoint: string;
  /** Its admin-signed test hook for sign-up codes: `<origin>/_local/cognito/<userPoolId>/confirmation-code`. */
  readonly userPoolConfirmationCodeUrl: string;
  close(): Promise<void>;
}

export const graphqlPath = '/graphql';
export const realtimePath = `${graphqlPath}/realtime`;

const defaultTimings: RealtimeTimings = { connectionTimeoutMs: 300_000, keepAliveIntervalMs: 60_000 };

const logInternalError = (error: unknown, where: string) => {
  console.error(`[local appsync] ${where}:`, error);
};

export async function startLocalAppSync(options: LocalAppSyncOptions): Promise<LocalAppSync> {
  const host = options.host ?? '127.0.0.1';
  const tls = await loadOrCreateTls(options.stateDir);
  const served = buildServedSchema({ authModes: localAuthModes, limits: options.limits });
  const registry = subscriptionRegistry(served);
  // The pool's issuer names this server's origin, known once it listens; until then no token verifies.
  const attached: { pool?: LocalUserPool; routes?: ReturnType<typeof userPoolRoutes>; identityProvider?: ReturnType<typeof identityProviderHandler> } = {};
  const auth = {
    apiKey: options.apiKey,
    credentials: options.credentials,
    region: options.region,
    authModes: localAuthModes,
    userPool: { verify: (token: string) => attached.pool?.verify(token) ?? ({ ok: false, reason: 'invalid' } as const) },
  };
  const onInternalError = options.onInternalError ?? logInternalError;
  // One counter for both endpoints: WAF counts an address's requests to the API whichever they are.
  const rateLimiter = options.rateLimit ? createRateLimiter(options.rateLimit, options.rateLimitOptions) : undefined;

  const graphql = graphQLRequestHandler({
    served,
    runtime: options.runtime,
    auth,
    graphqlPath,
    publish: (mutation) => {
      options.onPublished?.(mutation);
      return registry.fanOut(mutation.fieldName, mutation.payload);
    },
    invalidate: (invalidation) => registry.invalidate(invalidation.subscriptionField, invalidation.payload),
    onInternalError,
    requestTimeoutMs: options.requestTimeoutMs,
    rateLimiter,
    bodyBudget: options.bodyBudget,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs,
    bodyMinBytesPerSecond: options.bodyMinBytesPerSecond,
  });
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    if (attached.identityProvider && isIdentityProviderRequest(request)) return attached.identityProvider(request, response);
    // A target that is not a plain path (`//[`) is not the pool's; the GraphQL handler answers it with a 404.
    if (attached.routes && requestPathname(request) !== undefined && (await attached.routes(request, response))) return;
    await graphql(request, response);
  };
  const server = createServer(
    { cert: tls.cert, key: tls.key },
    guardRequests(serve, {
      service: 'local appsync',
      log: onInternalError,
      // Each API's own 500: Cognito's InternalErrorException on the user pool's path, AppSync's error elsewhere.
      internalError: (request, response) =>
        isIdentityProviderRequest(request) ? sendInternalError(response) : sendRequestError(request, response, RequestErrors.internal()),
    }),
  );
  guardServer(server);
  const realtime = attachRealtime(server, realtimePath, {
    served,
    runtime: options.runtime,
    registry,
    subscriptionDocuments: subscriptionDocumentBudget(),
    auth,
    timings: { ...defaultTimings, ...options.realtime },
    graphqlPath,
    onInternalError,
    rateLimiter,
  });

  // Read before listening when not handed over: a damaged user file (StateFileError) stops the start with nothing left open.
  const users = options.userPoolUsers ?? new UserDirectory(options.stateDir);
  const port = await listen(server, options.port, host);
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const pool = openLocalUserPool({ stateDir: options.stateDir, region: options.region, origin: `https://${authority}`, loaded: options.userPool });
  const poolApi = userPoolApi({ pool, users, log: options.userPoolLog ?? ((line) => console.log(line)) });
  attached.pool = pool;
  attached.routes = userPoolRoutes({ pool, admin: options.userPoolAdmin ?? credentialStore(), region: options.region, userPoolApi: poolApi });
  attached.identityProvider = identityProviderHandler({
    service: poolApi,
    bodyBudget: options.bodyBudget,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs,
    bodyMinBytesPerSecond: options.bodyMinBytesPerSecond,
  });

  return {
    graphqlUrl: `https://${authority}${graphqlPath}`,
    realtimeUrl: `wss://${authority}${realtimePath}`,
    caPath: tls.caPath,
    userPool: pool,
    userPoolTokensUrl: `https://${authority}/_local/cognito/${pool.userPoolId}/tokens`,
    userPoolEndpoint: `https://${authority}${identityProviderPath}`,
    userPoolConfirmationCodeUrl: `https://${authority}/_local/cognito/${pool.userPoolId}/confirmation-code`,
    async close() {
      await realtime.close();
      await closeServer(server);
    },
  };
}
