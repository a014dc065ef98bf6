/**
 * What DynamoDB refuses of a JSON request body before reading it as an
 * operation's input, and dynalite would instead trip over (a 500): nesting
 * past its limit, and JSON that is not an object. Checked only after the
 * signature (authorizing-transport.ts): a request DynamoDB does not
 * authenticate gets the signature error whatever its body, and its body is
 * never parsed.
 *
 * The body is parsed here once, and the parse handed on (`parsedBody`) to the
 * authorization and the layers behind it (inner-calls.ts's bodyOf) instead of
 * each parsing it again: a 16 MB body of tiny objects costs seconds of CPU and
 * hundreds of MiB for each parse.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDbHttpRequest, DynamoDbHttpResponse } from './in-process.ts';

const jsonContentType = 'application/x-amz-json-1.0';

/**
 * DynamoDB nests documents at most 32 levels; each level is two JSON levels
 * (`{"M":{"a":…}}`) under a few of the request's own. Deeper JSON is refused
 * before anyone walks it recursively (dynalite would run out of stack).
 */
const maxJsonDepth = 80;

/** How deep `text`'s brackets nest, strings skipped; linear, without recursion and without building anything. */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') deepest = Math.max(deepest, ++depth);
    else if (char === '}' || char === ']') depth -= 1;
  }
  return deepest;
}

function refusal(type: string, message?: string): DynamoDbHttpResponse {
  const body = JSON.stringify(message === undefined ? { __type: type } : { __type: type, message });
  return {
    statusCode: 400,
    headers: {
      'content-type': jsonContentType,
      'content-length': String(Buffer.byteLength(body)),
      'x-amzn-requestid': randomBytes(26).toString('base64url').slice(0, 52).toUpperCase(),
    },
    body,
  };
}

/** A request's body read as JSON: DynamoDB's refusal of its shape, or its parse (undefined when it is not JSON: dynalite answers those itself, as DynamoDB does). */
export type BodyReading = { readonly refusal: DynamoDbHttpResponse } | { readonly input: unknown };

/** Reads the body of an authenticated POST; see above. */
export function readJsonBody(request: DynamoDbHttpRequest): BodyReading {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim();
  const checked = request.body !== '' && (contentType === 'application/json' || contentType === jsonContentType);
  if (checked && jsonDepth(request.body) > maxJsonDepth) {
    return { refusal: refusal('com.amazon.coral.validate#ValidationException', 'Nesting Levels have exceeded supported limits') };
  }
  let input: unknown;
  try {
    input = JSON.parse(request.body);
  } catch {
    return { input: undefined };
  }
  if (checked && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    return { refusal: refusal('com.amazon.coral.service#SerializationException') };
  }
  return { input };
}
