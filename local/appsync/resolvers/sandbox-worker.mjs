/**
 * The thread the APPSYNC_JS sandboxes run on (started by sandbox-thread.ts).
 * Plain JavaScript, so the thread starts without a TypeScript loader.
 *
 * Each loaded resolver bundle gets its own bare `node:vm` context here, with
 * the runtime script (sandbox-entry.ts, bundled by the host) evaluated inside
 * it. The host sends one request at a time on `port` and blocks on `signal`
 * until the answer is posted: `signal[0]` goes to 1 after each answer. The
 * time limit is the host's: it stops waiting and terminates this thread.
 *
 * Requests and answers (all values that reach resolver code are JSON strings):
 * - { op: 'load', id, name, source } → { ok: true, problem } | { ok: false, message }
 * - { op: 'call', id, input }        → { ok: true, answer, logs } | { ok: false, message, logs }
 * `logs` are the resolver's console lines of that call, [level, text] pairs,
 * which the host prints as its own output (CloudWatch Logs on AppSync).
 */
import { randomBytes } from 'node:crypto';
import vm from 'node:vm';
import { workerData } from 'node:worker_threads';

const { port, signal, runtimeSource } = workerData;
const hostSlot = Symbol.for('labelcast.appsync.sandbox.host');
const controlExpression = 'globalThis[Symbol.for("labelcast.appsync.sandbox.control")]';
const runtimeScript = new vm.Script(runtimeSource, { filename: 'appsync-js-runtime.js' });

/** id → the sandbox of one bundle: its context, control object and dispatch script. */
const sandboxes = new Map();
/** Console lines of the call under way. */
let logs = [];

function load({ id, name, source }) {
  const context = vm.createContext(
    {},
    {
      name,
      codeGeneration: { strings: false, wasm: false },
      // Promise jobs run inside the evaluation, not later on this thread's queue.
      microtaskMode: 'afterEvaluate',
    },
  );
  // The bridge is read and deleted by the runtime before any resolver code runs.
  context[hostSlot] = {
    randomHex: (byteCount) => randomBytes(byteCount).toString('hex'),
    log: (level, text) => logs.push([String(level), String(text)]),
  };
  runtimeScript.runInContext(context);
  const control = vm.runInContext(controlExpression, context);
  let problem;
  try {
    problem = new vm.Script(`${controlExpression}.load(${source})`, { filename: name }).runInContext(context);
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  const dispatch = new vm.Script(`${controlExpression}.dispatch()`, { filename: `${name} (dispatch)` });
  sandboxes.set(id, { context, control, dispatch });
  return { ok: true, problem: typeof problem === 'string' ? problem : '' };
}

function call({ id, input }) {
  const sandbox = sandboxes.get(id);
  if (!sandbox) return { ok: false, message: `no sandbox ${id} on this thread` };
  sandbox.control.setInput(input);
  try {
    return { ok: true, answer: String(sandbox.dispatch.runInContext(sandbox.context)) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (request) => {
  logs = [];
  let answer;
  try {
    answer = request.op === 'load' ? load(request) : call(request);
  } catch (error) {
    answer = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage({ ...answer, logs });
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});

// Ready: the host waits for this before its first request, so start-up never counts against a time limit.
Atomics.store(signal, 0, 1);
Atomics.notify(signal, 0);
