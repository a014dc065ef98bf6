/**
 * SHA-256 and HMAC-SHA-256 on node:crypto, in the shape @smithy/signature-v4
 * takes (`sha256`): for what the functions sign themselves (the AppSync
 * publisher) and for the local emulators' SigV4 checks (local/iam/). The AWS
 * SDK clients sign with node:crypto too; @aws-crypto/sha256-js, pure
 * JavaScript, costs several times as much per request: the body hash, the
 * signature, and the HMAC that keys the signer's signing-key cache, computed
 * at every request.
 *
 * @example
 * new SignatureV4({ service: 'appsync', region, credentials, sha256: NodeSha256 });
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';

export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  public constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as ArrayBuffer);
    return createHmac('sha256', key);
  }

  public update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  public digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  public reset(): void {
    this.hash = this.create();
  }
}
