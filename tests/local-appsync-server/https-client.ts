/** Raw HTTPS calls to the local AppSync from the test process, trusting its CA per request. */
import { request } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  json(): unknown;
}

export function post(url: string, ca: string, body: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
}

/** POSTs a GraphQL request signed with SigV4 for `appsync`, as the labeler does. */
export async function postSigned(
  url: string,
  ca: string,
  payload: unknown,
  options: { region: string; credentials: { accessKeyId: string; secretAccessKey: string } },
): Promise<RawResponse> {
  const target = new URL(url);
  const body = JSON.stringify(payload);
  const signer = new SignatureV4({ service: 'appsync', region: options.region, credentials: options.credentials, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host, 'content-type': 'application/json' },
      body,
    }),
  );
  return post(url, ca, body, signed.headers as Record<string, string>);
}
