/**
 * What an unknown username is answered with (preventUserExistenceErrors): a stand-in user whose challenge no
 * password can meet, shaped as a real user's so that its challenge says nothing of whether the user exists:
 * its id is a version-4 UUID with the variant bits of randomUUID's, its salt paddedHex of 16 bytes as
 * makeVerifier's, and an unknown UUID-shaped name is its own id, as a real user's id is when sent back as
 * USERNAME. Id, salt and verifier derive from the name under the pool's stand-in key (kept in user-pool.json,
 * user-pool.ts), so the same name always gets the same challenge, across restarts too, as a real user does.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { paddedHex, srpN } from './srp.ts';
import { uuidFromHex } from './user-pool.ts';
import { uuidPattern } from './users.ts';

export interface StandIn {
  readonly userId: string;
  readonly saltHex: string;
  readonly verifierHex: string;
}

export class StandIns {
  readonly #key: Buffer;

  /** `key`: the pool's standInKey (user-pool.ts), 32 bytes. */
  public constructor(key: Buffer) {
    this.#key = key;
  }

  /** The stand-in for the unknown username `name`. */
  public forName(name: string): StandIn {
    const userId = this.userIdFor(name);
    return { userId, ...this.verifierOf(userId) };
  }

  /** The id of the unknown username `name`'s stand-in, which counts its wrong codes and failures as a user's id does. */
  public userIdFor(name: string): string {
    if (uuidPattern.test(name)) return name;
    // A flat copy: the id keys records kept 15 minutes (recent-failures.ts), and as built from slices of the hash's
    // hex it would keep that hex and the pieces too, ~500 bytes a record rather than ~150.
    return Buffer.from(uuidFromHex(createHmac('sha256', this.#key).update(`name\u0000${name}`).digest('hex')), 'latin1').toString('latin1');
  }

  // The verifier is a number below N derived without a modular exponentiation, so a stand-in's challenge costs
  // what a real user's does (one, for B): 384 bytes of HKDF output, 128 bits more than N, reduced mod N.
  public verifierOf(userId: string): Omit<StandIn, 'userId'> {
    const saltHex = paddedHex(BigInt(`0x${createHmac('sha256', this.#key).update(`salt\u0000${userId}`).digest('hex').slice(0, 32)}`));
    const wide = Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `verifier\u0000${userId}`, 384));
    return { saltHex, verifierHex: (BigInt(`0x${wide.toString('hex')}`) % srpN).toString(16) };
  }
}
