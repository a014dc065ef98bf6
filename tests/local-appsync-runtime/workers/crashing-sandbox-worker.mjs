/**
 * The real sandbox thread (local/appsync/resolvers/sandbox-worker.mjs), made to crash in the middle of
 * a call: for a call whose input is the string "crash-the-thread", posting the answer throws, an
 * uncaught exception that ends the thread before it signals the host waiting on it.
 */
import { workerData } from 'node:worker_threads';

const { port } = workerData;
let crashing = false;
// Registered before the real worker's listener, so it runs first for every request.
port.on('message', (request) => {
  crashing = request.op === 'call' && request.calls.some((call) => call.input === '"crash-the-thread"');
});
const postMessage = port.postMessage.bind(port);
port.postMessage = (message) => {
  if (crashing) throw new Error('the sandbox thread crashed');
  postMessage(message);
};

await import('../../../local/appsync/resolvers/sandbox-worker.mjs');
