/**
 * A local stand-in for AWS AppSync: GraphQL over HTTPS at `/graphql` and
 * realtime subscriptions over WSS at `/graphql/realtime`, with AppSync's auth
 * (API key by default, SigV4 as the additional mode), error shapes and
 * publish-on-mutation. Clients change only their endpoint and trust the CA.
 */
import { createServer } from 'node:https';
import { localAuthModes } from '../../api/manifest.ts';
import type { CredentialStore } from '../iam/credentials.ts';
import { attachRealtime } from './realtime/server.ts';
import type { RealtimeTimings } from './realtime/connection.ts';
import { subscriptionRegistry } from './realtime/subscriptions.ts';
import type { ResolverRuntime } from './resolvers/index.ts';
import { graphQLRequestHandler } from './server/http.ts';
import { buildServedSchema } from './server/schema.ts';
import { loadOrCreateTls } from './tls/certificates.ts';
import { listen } from '../listen.ts';

export interface LocalAppSyncOptions {
  readonly stateDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Interface to bind; 127.0.0.1 unless told. */
  readonly host?: string;
  readonly region: string;
  readonly apiKey: string;
  readonly credentials: CredentialStore;
  readonly runtime: ResolverRuntime;
  /** Realtime keep-alive settings; AppSync's (5 min timeout, `ka` every minute) unless told. */
  readonly realtime?: Partial<RealtimeTimings>;
  /** Where unexpected failures are reported (clients only see InternalFailure); stderr unless told. */
  readonly onInternalError?: (error: unknown, where: string) => void;
}

export interface LocalAppSync {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  /** The CA to trust: NODE_EXTRA_CA_CERTS=<caPath>. */
  readonly caPath: string;
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
  const served = buildServedSchema({ authModes: localAuthModes });
  const registry = subscriptionRegistry(served);
  const auth = { apiKey: options.apiKey, credentials: options.credentials, region: options.region, authModes: localAuthModes };
  const onInternalError = options.onInternalError ?? logInternalError;

  const server = createServer(
    { cert: tls.cert, key: tls.key },
    graphQLRequestHandler({
      served,
      runtime: options.runtime,
      auth,
      graphqlPath,
      publish: (mutation) => registry.publish(mutation.fieldName, mutation.payload),
      invalidate: (invalidation) => registry.invalidate(invalidation.subscriptionField, invalidation.payload),
      onInternalError,
    }),
  );
  const realtime = attachRealtime(server, realtimePath, {
    served,
    runtime: options.runtime,
    registry,
    auth,
    timings: { ...defaultTimings, ...options.realtime },
    graphqlPath,
    onInternalError,
  });

  const port = await listen(server, options.port, host);
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    graphqlUrl: `https://${authority}${graphqlPath}`,
    realtimeUrl: `wss://${authority}${realtimePath}`,
    caPath: tls.caPath,
    async close() {
      await realtime.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
