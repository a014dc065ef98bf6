/**
 * Calls the IAM-only publishImageLabeled mutation, signed with SigV4 as the
 * Lambda's role, so AppSync fans the image out on onImageLabeled.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { toPublicImage, type Image } from '../../api/types.ts';
import { PublishError } from './errors.ts';
import { NodeSha256 } from '../../api/node-sha256.ts';

// owner is selected so that AppSync's subscription filters can see it in the published payload.
const imageFields = `id status contentType sizeBytes fileName createdAt labeledAt error owner
  properties { quality { brightness sharpness contrast } dominantColors { red green blue hexCode cssColor simplifiedColor pixelPercent } }
  labels { name confidence parents aliases categories instances { confidence boundingBox { left top width height } } }
  moderationLabels { name confidence parents aliases categories instances { confidence boundingBox { left top width height } } }`;

export const publishImageLabeledMutation = `mutation PublishImageLabeled($input: ImageLabeledInput!) {
  publishImageLabeled(input: $input) { ${imageFields} }
}`;

/** Bounded well inside the push lease (functions/shared/image-push.ts), so a slow publish never outlives it. */
const publishTimeoutMs = 5000;

/**
 * How long a connection stays open between publishes, as fetch's default
 * dispatcher keeps it (undici's 4 s): a warm function's next push reuses it.
 */
const idleConnectionMs = 4000;

/** An answer read whole: its status and text. */
interface Answer {
  readonly status: number;
  readonly text: string;
}

/**
 * A kept-alive connection the server had closed when the request went out on
 * it (its idle timeout ended as the request was sent, or a frozen Lambda
 * thawed after it): the server never read the request, so sending it again on
 * a new connection publishes once. Node's own advice for keep-alive agents.
 */
class StaleConnectionError extends Error {}

const staleConnectionCodes = new Set(['ECONNRESET', 'EPIPE']);

/**
 * One POST over node:http(s) with a keep-alive agent, not fetch: on Node 20,
 * against a local HTTPS server, fetch cost ~0.9 ms more CPU a call (client
 * and server together) and ~2 ms more wall time, on the push's critical path.
 * The whole exchange, answer text included, ends when `signal` aborts or rejects.
 */
function post(url: URL, headers: Record<string, string>, body: string, agents: { http: HttpAgent; https: HttpsAgent }, signal: AbortSignal): Promise<Answer> {
  const secure = url.protocol === 'https:';
  return new Promise<Answer>((resolve, reject) => {
    const options = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, signal };
    let answered = false;
    const onAnswer = (response: IncomingMessage) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
      // Cut before its end (the time limit, the connection lost): no answer.
      response.on('close', () => {
        if (!response.complete) reject(new Error('the connection closed before the answer ended'));
      });
    };
    const request = secure ? httpsRequest(url, { ...options, agent: agents.https }, onAnswer) : httpRequest(url, { ...options, agent: agents.http }, onAnswer);
    request.on('error', (error: NodeJS.ErrnoException) => {
      // Only before any answer: once the server answered, it had the request.
      const stale = request.reusedSocket && !answered && !signal.aborted && staleConnectionCodes.has(error.code ?? '');
      reject(stale ? new StaleConnectionError(error.message, { cause: error }) : error);
    });
    request.end(body);
  });
}

export interface Publisher {
  publish(image: Image): Promise<void>;
}

export function appSyncPublisher(args: { graphqlUrl: string; region: string; /** @default 5000 */ timeoutMs?: number }): Publisher {
  const url = new URL(args.graphqlUrl);
  const signer = new SignatureV4({ service: 'appsync', region: args.region, credentials: defaultProvider(), sha256: NodeSha256 });
  const agents = { http: new HttpAgent({ keepAlive: true, timeout: idleConnectionMs }), https: new HttpsAgent({ keepAlive: true, timeout: idleConnectionMs }) };
  return {
    async publish(image) {
      const body = JSON.stringify({ query: publishImageLabeledMutation, variables: { input: toPublicImage(image) } });
      const request = new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      });
      const signed = await signer.sign(request);
      // One deadline for the attempt and its retry: the push lease's margin for the publish holds (image-push.ts).
      const signal = AbortSignal.timeout(args.timeoutMs ?? publishTimeoutMs);
      const send = () => post(url, signed.headers, body, agents, signal);
      const { status, text } = await send()
        .catch((error: unknown) => {
          if (error instanceof StaleConnectionError) return send();
          throw error;
        })
        .catch((error: unknown) => {
          throw new PublishError(`publishImageLabeled got no answer: ${(error as Error).message}`, { cause: error });
        });
      if (status < 200 || status > 299) throw new PublishError(`publishImageLabeled answered HTTP ${status}: ${text}`);
      const result = JSON.parse(text) as { errors?: { message: string; errorType?: string }[] };
      if (result.errors?.length) {
        throw new PublishError(`publishImageLabeled failed: ${result.errors.map((e) => `${e.errorType}: ${e.message}`).join('; ')}`);
      }
    },
  };
}
