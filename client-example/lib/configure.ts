/**
 * Configures aws-amplify v6 in Node from amplify_outputs.json. Node 20 has no
 * global WebSocket, which Amplify's realtime client needs, so `ws` fills in.
 * For the local stack, start Node with NODE_EXTRA_CA_CERTS=.labelcast/tls/ca.pem.
 */
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { WebSocket } from 'ws';

export function configureAmplify(outputsPath: string): void {
  if (!('WebSocket' in globalThis)) {
    Object.assign(globalThis, { WebSocket });
  }
  Amplify.configure(JSON.parse(readFileSync(outputsPath, 'utf8')) as Parameters<typeof Amplify.configure>[0]);
}
