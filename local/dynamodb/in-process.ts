/**
 * DynamoDB requests handed to dynalite's own HTTP request handler inside this
 * process, without a socket: the same JSON 1.0 request (headers, signed body)
 * goes through the same checks (target, auth headers, validation) and comes
 * back as the same status, headers and JSON body a client would read off the
 * wire. Callers in the stack's process (the local AppSync's DynamoDB data
 * source) skip the HTTP round trip; everyone else still uses the endpoint.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** One HTTP request to DynamoDB, as a client would send it. */
export interface DynamoDbHttpRequest {
  /** POST for the JSON protocol; the socket front (server.ts) also passes GET (health) and OPTIONS (CORS). */
  readonly method: string;
  /** Path and query, `/` for the JSON protocol. */
  readonly path: string;
  /** Lower-case names, as Node gives a server. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Who signed it (an IAM ARN), set by the authorizing transport for the layers behind it. */
  readonly principalArn?: string;
  /**
   * `body` as the authorizing transport parsed it, so the layers behind it need not parse it again (inner-calls.ts's
   * bodyOf); valid only while `of` is still the request's body (a layer that sends another body keeps it in a spread).
   */
  readonly parsedBody?: { readonly of: string; readonly input: unknown };
}

/** DynamoDB's answer: the status line, headers (lower-case names) and body. */
export interface DynamoDbHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type DynamoDbTransport = (request: DynamoDbHttpRequest) => Promise<DynamoDbHttpResponse>;

/**
 * What dynalite's handler reads of the request (method, url, headers, the
 * data/end events) and writes to the response (statusCode, setHeader, end).
 */
class InProcessRequest extends EventEmitter {
  public constructor(
    public readonly method: string,
    public readonly url: string,
    public readonly headers: Readonly<Record<string, string>>,
  ) {
    super();
  }
}

class InProcessResponse {
  public statusCode = 200;
  private readonly headers: Record<string, string> = {};
  public constructor(private readonly onEnd: (response: DynamoDbHttpResponse) => void) {}
  public setHeader(name: string, value: number | string): this {
    this.headers[name.toLowerCase()] = String(value);
    return this;
  }
  public end(body?: string | Buffer): void {
    this.onEnd({ statusCode: this.statusCode, headers: this.headers, body: body === undefined ? '' : body.toString() });
  }
}

/** A transport that calls `listener` (dynalite's request handler) directly. */
export function inProcessTransport(listener: RequestListener): DynamoDbTransport {
  return (request) =>
    new Promise((resolve) => {
      const incoming = new InProcessRequest(request.method, request.path, request.headers);
      const outgoing = new InProcessResponse(resolve);
      listener(incoming as unknown as IncomingMessage, outgoing as unknown as ServerResponse);
      // The handler listens for the body synchronously; a request arrives as one chunk.
      if (request.body !== '') incoming.emit('data', Buffer.from(request.body));
      incoming.emit('end');
    });
}
