/**
 * AppSync's nextToken: an opaque, tamper-proof wrapper of DynamoDB's
 * LastEvaluatedKey. The key and the table/index it belongs to are signed with
 * HMAC-SHA256 under the stack's secret, so a forged token, or one from another
 * table or index, is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AttributeValue } from './dynamodb-wire.ts';

export interface NextTokenCodec {
  encode(scope: string, lastEvaluatedKey: Record<string, AttributeValue> | undefined): string | null;
  /** The LastEvaluatedKey, or undefined when the token is not genuine for this scope. */
  decode(scope: string, token: string): Record<string, AttributeValue> | undefined;
}

interface TokenBody {
  readonly version: 1;
  readonly scope: string;
  readonly key: Record<string, AttributeValue>;
}

export function createNextTokenCodec(secret: string): NextTokenCodec {
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest();
  return {
    encode(scope, lastEvaluatedKey) {
      if (!lastEvaluatedKey) return null;
      const body: TokenBody = { version: 1, scope, key: lastEvaluatedKey };
      const encodedBody = Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${encodedBody}.${sign(encodedBody).toString('base64url')}`;
    },
    decode(scope, token) {
      const [encodedBody, mac, extra] = token.split('.');
      if (!encodedBody || !mac || extra !== undefined) return undefined;
      const expected = sign(encodedBody);
      const given = Buffer.from(mac, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const body = JSON.parse(Buffer.from(encodedBody, 'base64url').toString('utf8')) as TokenBody;
        return body.version === 1 && body.scope === scope ? body.key : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
