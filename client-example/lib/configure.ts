/**
 * Configures aws-amplify v6 in Node from amplify_outputs.json. Node 20 has no
 * global WebSocket, which Amplify's realtime client needs, so `ws` fills in.
 * For the local stack, start Node with NODE_EXTRA_CA_CERTS=.labelcast/tls/ca.pem.
 */
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { WebSocket } from 'ws';

/** `libraryOptions` is Amplify's second argument, e.g. `{ Auth: { tokenProvider } }` for user-pool tokens from elsewhere. */
export function configureAmplify(outputsPath: string, libraryOptions?: Parameters<typeof Amplify.configure>[1]): void {
  if (!('WebSocket' in globalThis)) {
    Object.assign(globalThis, { WebSocket });
  }
  Amplify.configure(JSON.parse(readFileSync(outputsPath, 'utf8')) as Parameters<typeof Amplify.configure>[0], libraryOptions);
}
