/**
 * SigV4 for the data source's DynamoDB requests, which all have one shape:
 * `POST /`, no query, a JSON body, and the same four headers. It signs them
 * as @smithy/signature-v4 does (same headers, including
 * `x-amz-content-sha256`, same canonical request, same `Authorization`;
 * tests/local-appsync-data-sources/dynamodb-signer.test.ts compares the two),
 * synchronously on node:crypto: the generic signer cloned the request,
 * walked its headers and query, awaited each hash and hashed the secret for
 * its key cache on every call, ~0.2 ms of a PutItem's ~2 ms on the stack's
 * cold path (requestUpload), four times what the signature itself costs.
 * The signing key is derived once a day per client (one credential each).
 *
 * @example
 * const signer = dynamoDbSigner({ region: 'us-east-1', credentials });
 * const headers = signer.sign({ host: '127.0.0.1:4567', target: 'DynamoDB_20120810.PutItem', body: '{}' });
 */
import { createHash, createHmac } from 'node:crypto';

export interface DynamoDbSignerOptions {
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface DynamoDbRequestToSign {
  /** The Host header: hostname, and `:port` when there is one. */
  readonly host: string;
  /** The X-Amz-Target header, `DynamoDB_20120810.<Operation>`. */
  readonly target: string;
  readonly body: string;
  /** @default now */
  readonly signingDate?: Date;
}

export interface DynamoDbSigner {
  /** The request's headers (lower-case names), Authorization included. */
  sign(request: DynamoDbRequestToSign): Record<string, string>;
}

const service = 'dynamodb';
const algorithm = 'AWS4-HMAC-SHA256';
const contentType = 'application/x-amz-json-1.0';
/** Sorted, as the canonical request lists them. */
const signedHeaders = 'content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target';

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** `20261130T080000Z`: ISO 8601 basic format, seconds, UTC. */
export const longDateOf = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * Header values are signed trimmed with inner whitespace runs as one space (SigV4's canonical form);
 * a value that needs it is refused here instead, as the four this signer sends never do.
 */
function canonicalValue(name: string, value: string): string {
  if (value.trim() !== value || /\s\s|[\t\r\n]/.test(value)) throw new Error(`dynamoDbSigner: header ${name} is not in canonical form: ${JSON.stringify(value)}`);
  return value;
}

export function dynamoDbSigner(options: DynamoDbSignerOptions): DynamoDbSigner {
  const { accessKeyId, secretAccessKey } = options.credentials;
  let keyDate = '';
  let signingKey: Buffer = Buffer.alloc(0);

  const keyFor = (date: string): Buffer => {
    if (date !== keyDate) {
      const dateKey = createHmac('sha256', `AWS4${secretAccessKey}`).update(date).digest();
      const regionKey = createHmac('sha256', dateKey).update(options.region).digest();
      const serviceKey = createHmac('sha256', regionKey).update(service).digest();
      signingKey = createHmac('sha256', serviceKey).update('aws4_request').digest();
      keyDate = date;
    }
    return signingKey;
  };

  return {
    sign({ host, target, body, signingDate = new Date() }) {
      const longDate = longDateOf(signingDate);
      const date = longDate.slice(0, 8);
      const payloadHash = sha256Hex(body);
      const canonicalHeaders =
        `content-type:${contentType}\nhost:${canonicalValue('host', host)}\nx-amz-content-sha256:${payloadHash}\n` +
        `x-amz-date:${longDate}\nx-amz-target:${canonicalValue('x-amz-target', target)}\n`;
      const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
      const scope = `${date}/${options.region}/${service}/aws4_request`;
      const stringToSign = `${algorithm}\n${longDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
      const signature = createHmac('sha256', keyFor(date)).update(stringToSign, 'utf8').digest('hex');
      return {
        host,
        'content-type': contentType,
        'x-amz-target': target,
        'x-amz-date': longDate,
        'x-amz-content-sha256': payloadHash,
        authorization: `${algorithm} Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      };
    },
  };
}
