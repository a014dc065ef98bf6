/**
 * One realtime connect's HTTP answer, as the tests of refusals before the upgrade need it: the API key goes in the
 * `header-…` subprotocol as aws-amplify sends it, and any HTTP headers given go on the upgrade request.
 */
import { WebSocket } from 'ws';

export interface RealtimeHandshakeArgs {
  /** `wss://host/graphql/realtime`. */
  readonly realtimeUrl: string;
  /** The GraphQL endpoint's host, which the subprotocol's header names. */
  readonly host: string;
  readonly apiKey: string;
  /** The stack's CA, when the process does not trust it through NODE_EXTRA_CA_CERTS. */
  readonly ca?: string;
  readonly headers?: Record<string, string>;
}

export interface RealtimeHandshake {
  /** 101 when the connection upgraded (it is then closed at once), else the refusal's HTTP status. */
  readonly status: number;
  readonly body: string;
  readonly errorType?: string | string[] | undefined;
}

export const realtimeHandshake = ({ realtimeUrl, host, apiKey, ca, headers = {} }: RealtimeHandshakeArgs): Promise<RealtimeHandshake> =>
  new Promise((resolve, reject) => {
    const header = Buffer.from(JSON.stringify({ host, 'x-api-key': apiKey })).toString('base64url');
    const socket = new WebSocket(realtimeUrl, ['graphql-ws', `header-${header}`], { ...(ca ? { ca } : {}), headers });
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, errorType: response.headers['x-amzn-errortype'] }));
    });
    socket.once('error', reject);
  });
