/**
 * The SECRET_BLOCK of a PASSWORD_VERIFIER challenge: the challenge's state (its id, the user, A, b, B, its expiry)
 * sealed with AES-256-GCM under a key made per start, so the pool keeps nothing per challenge but the ids of those
 * answered (spent-challenges.ts), a client can neither read nor change it, and no challenge outlives the stack.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Json } from './request-fields.ts';

export class ChallengeSeal {
  readonly #key = randomBytes(32);

  public seal(fields: Json): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }

  /** The fields sealed in `block`, or undefined when it is not a block of this seal, whole. */
  public unseal(block: string): Json | undefined {
    const bytes = Buffer.from(block, 'base64');
    if (bytes.length < 29) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as Json;
    } catch {
      return undefined;
    }
  }
}
