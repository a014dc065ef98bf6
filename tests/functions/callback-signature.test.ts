/**
 * The callback signature (functions/shared/callback-signature.ts), checked
 * the way README.md tells a receiver to: recompute the HMAC over
 * "<t>.<url>.<body>" with node:crypto, not with our own function.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callbackSignature } from '../../functions/shared/callback-signature.ts';

const body = '{"id":"img-1","status":"LABELED"}';
const url = 'https://example.com/hooks/labelcast?tenant=7';

/** The v2 digest a receiver computes for what it received at its own URL. */
const receiverDigest = (secret: string, t: string, receivedAt: string, received: string) =>
  createHmac('sha256', secret).update(`${t}.${receivedAt}.${received}`).digest('hex');

/** The header's `t` and `v2` parts. */
function partsOf(header: string): { t?: string; v2?: string; v1?: string } {
  return Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
}

describe('Function: callbackSignature', () => {
  it('is t=<unix>,v2=<hex HMAC-SHA256 of "<t>.<url>.<body>">', () => {
    // Prepare
    const expected = createHmac('sha256', 'secret').update(`1700000000.${url}.${body}`).digest('hex');

    // Act
    const signature = callbackSignature('secret', 1_700_000_000, url, body);

    // Assess
    expect(signature).toBe(`t=1700000000,v2=${expected}`);
  });

  it('verifies at the URL it was sent to, and nowhere else', () => {
    // Act
    const parts = partsOf(callbackSignature('secret', 1_700_000_000, url, body));

    // Assess
    expect(parts.v1).toBeUndefined();
    expect(parts.v2).toBe(receiverDigest('secret', parts.t!, url, body));
    expect(parts.v2).not.toBe(receiverDigest('secret', parts.t!, 'https://other.example.com/hooks/labelcast?tenant=7', body));
    expect(parts.v2).not.toBe(receiverDigest('secret', parts.t!, 'https://example.com/hooks/labelcast?tenant=8', body));
  });

  it('changes with the timestamp, the body and the secret', () => {
    const signature = callbackSignature('secret', 1_700_000_000, url, body);
    expect(callbackSignature('secret', 1_700_000_001, url, body)).not.toBe(signature);
    expect(callbackSignature('secret', 1_700_000_000, url, body.replace('LABELED', 'FAILED'))).not.toBe(signature);
    expect(callbackSignature('other secret', 1_700_000_000, url, body)).not.toBe(signature);
  });
});
