/**
 * One local S3 for a test file (or a describe block): started in beforeAll on a fresh temporary directory, closed
 * and the directory removed in afterAll. Every ObjectCreated notification is kept, in order, in `events`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll } from 'vitest';
import { credentialStore, type CredentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { compilePolicy, type PolicyStatement } from '../../local/iam/policy.ts';
import { administrator, functionRole, principalDirectory, type PrincipalDirectory } from '../../local/iam/principals.ts';
import { startLocalS3, type LocalS3, type LocalS3Options } from '../../local/s3/index.ts';

/** The region a local S3 of these tests runs in unless told another. */
export const localS3Region = 'us-east-1';

/** A Lambda function's role: `<name>-role`, its session `<name>`, allowed what `statements` allow and nothing else. */
export interface LocalS3Role {
  readonly name: string;
  readonly credentials: LocalCredentials;
  readonly statements: readonly PolicyStatement[];
}

export interface UseLocalS3Options {
  /** The temporary directory's name prefix, e.g. `labelcast-s3-listings-`. */
  readonly dirPrefix: string;
  /** The key pair `client()` signs with by default; the administrator unless `credentials` says otherwise. */
  readonly admin: LocalCredentials;
  /**
   * Function roles S3 accepts beside the administrator.
   * @default - none: a plain credential store of `admin` alone
   */
  readonly roles?: readonly LocalS3Role[];
  /**
   * The key pairs S3 accepts, made elsewhere (the stack's identities); `admin` and `roles` then only sign.
   * @default - made of `admin` and `roles`
   */
  readonly credentials?: CredentialStore | PrincipalDirectory;
  /** @default localS3Region */
  readonly region?: string;
  readonly buckets: LocalS3Options['buckets'];
  /** @default 64 * 1024 */
  readonly maxObjectBytes?: number;
  /** What every `client()` is made with besides endpoint, region and keys. @default - the SDK's defaults */
  readonly clientConfig?: Omit<S3ClientConfig, 'endpoint' | 'region' | 'credentials'>;
}

export interface LocalS3Fixture {
  readonly s3: LocalS3;
  readonly endpoint: string;
  /** The temporary directory of the file: nothing but `dataDir` is written under it. */
  readonly root: string;
  /** `<root>/data`, the local S3's data directory. */
  readonly dataDir: string;
  /** Every ObjectCreated notification so far, in the order they were sent. */
  readonly events: readonly S3Event[];
  /** A new SDK client of the endpoint as it is now, signing with `credentials`; `config` adds to `clientConfig`. */
  client(credentials?: LocalCredentials, config?: UseLocalS3Options['clientConfig']): S3Client;
  /**
   * The headers of a request to the endpoint signed as an SDK signs one for S3 (its path taken as is, not escaped
   * again), for requests an SDK would not send; `headers` may name another Host.
   */
  signedHeaders(credentials: LocalCredentials, request: SignedRequest): Promise<Record<string, string>>;
  /** Closes the local S3 and starts another on the same data directory (another port). */
  restart(): Promise<void>;
}

export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  /** The query's raw values. @default {} */
  readonly query?: Record<string, string>;
  readonly headers: Record<string, string>;
}

function credentialsOf(options: UseLocalS3Options): CredentialStore | PrincipalDirectory {
  if (options.credentials) return options.credentials;
  if (!options.roles) return credentialStore(options.admin);
  return principalDirectory([
    { credentials: options.admin, principal: administrator() },
    ...options.roles.map((role) => ({
      credentials: role.credentials,
      principal: functionRole(`${role.name}-role`, role.name, compilePolicy([{ Statement: role.statements }])),
    })),
  ]);
}

export function useLocalS3(options: UseLocalS3Options): LocalS3Fixture {
  let root: string | undefined;
  let s3: LocalS3 | undefined;
  const events: S3Event[] = [];
  const notStarted = () => new Error('the local S3 is not started (use it inside a test)');
  const started = (): LocalS3 => {
    if (!s3) throw notStarted();
    return s3;
  };
  const dataDir = () => {
    if (root === undefined) throw notStarted();
    return path.join(root, 'data');
  };
  const start = () =>
    startLocalS3({
      dataDir: dataDir(),
      port: 0,
      region: options.region ?? localS3Region,
      credentials: credentialsOf(options),
      buckets: options.buckets,
      maxObjectBytes: options.maxObjectBytes ?? 64 * 1024,
      onObjectCreated: (event) => events.push(event),
    });
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), options.dirPrefix));
    s3 = await start();
  });
  afterAll(async () => {
    await s3?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });
  return {
    get s3() {
      return started();
    },
    get endpoint() {
      return started().endpoint;
    },
    get root() {
      if (root === undefined) throw notStarted();
      return root;
    },
    get dataDir() {
      return dataDir();
    },
    events,
    client: (credentials = options.admin, config = {}) =>
      new S3Client({ ...options.clientConfig, ...config, endpoint: started().endpoint, region: options.region ?? localS3Region, credentials }),
    async signedHeaders(credentials, { method, path: pathname, query = {}, headers }) {
      const endpoint = new URL(started().endpoint);
      const signer = new SignatureV4({ credentials, region: options.region ?? localS3Region, service: 's3', sha256: Sha256, uriEscapePath: false });
      const request = new HttpRequest({
        method,
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: Number(endpoint.port),
        path: pathname,
        query,
        headers: { host: endpoint.host, ...headers },
      });
      return (await signer.sign(request)).headers;
    },
    async restart() {
      await started().close();
      s3 = undefined;
      s3 = await start();
    },
  };
}
