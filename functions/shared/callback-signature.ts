/**
 * The completion callback's signature (header CallbackSettings.signatureHeader):
 *
 *   X-Labelcast-Signature: t=<unix seconds>,v2=<hex HMAC-SHA256 of "<t>.<url>.<body>">
 *
 * keyed with the deployment's CALLBACK_SECRET. `url` is the callbackUrl
 * exactly as given to requestUpload, so a signed request captured on its way
 * to one receiver cannot be replayed to another receiver of the same
 * deployment; `t` lets a receiver refuse old requests. (v1 signed only
 * "<t>.<body>" and is no longer sent.) README.md shows how a receiver checks it.
 */
import { createHmac } from 'node:crypto';

/** The text the HMAC covers: timestamp, target URL and body, dot-separated (a URL or JSON body cannot end the timestamp early). */
export const signedText = (timestamp: number, url: string, body: string): string => `${timestamp}.${url}.${body}`;

/**
 * The signature header's value for `body` sent to `url` at `timestamp` (unix seconds).
 *
 * @example
 * callbackSignature('secret', 1700000000, 'https://example.com/hook', '{"id":"…"}')
 * // 't=1700000000,v2=5d41…'
 */
export function callbackSignature(secret: string, timestamp: number, url: string, body: string): string {
  const digest = createHmac('sha256', secret).update(signedText(timestamp, url, body)).digest('hex');
  return `t=${timestamp},v2=${digest}`;
}
