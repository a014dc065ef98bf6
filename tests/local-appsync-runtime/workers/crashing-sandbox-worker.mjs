/**
 * The real sandbox thread (local/appsync/resolvers/sandbox-worker.mjs), made to crash in the middle of
 * a call: posting the answer to a call of sandbox 666 throws, an uncaught exception that ends the
 * thread before it signals the host waiting on it.
 */
import { workerData } from 'node:worker_threads';

const { port } = workerData;
const postMessage = port.postMessage.bind(port);
port.postMessage = (message) => {
  if (JSON.stringify(message).includes('no sandbox 666 ')) throw new Error('the sandbox thread crashed');
  postMessage(message);
};

// Last: the real worker serves requests from here on.
await import('../../../local/appsync/resolvers/sandbox-worker.mjs');
