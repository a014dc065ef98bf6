/**
 * The thread the APPSYNC_JS sandboxes run on (started by sandbox-thread.ts).
 * Plain JavaScript, so the thread starts without a TypeScript loader.
 *
 * Each loaded resolver bundle gets its own bare `node:vm` context here, with
 * the runtime script (sandbox-entry.ts, bundled by the host) evaluated inside
 * it. The host sends one request at a time on `port`, rings the shared bell,
 * and blocks on the shared state slot until the answer is posted (see
 * sandbox-thread.ts for the layout); this thread blocks on the bell between requests.
 * The time limit is the host's: it stops waiting and terminates this thread.
 *
 * Requests and answers (all values that reach resolver code are JSON strings):
 * - { op: 'load', id, name, source } → { ok: true, problem, logs } | { ok: false, message, logs }
 * - { op: 'call', calls: [{ id, input }, …] } → { calls: [{ ok: true, answer, logs } | { ok: false, message, logs }, …] }
 *
 * A call request is a chain: the first input is complete; each later one is a
 * template whose ctx.prev.result, ctx.stash and state the sandbox runtime fills
 * from the answer before it (handed over as it is, unparsed here), and runs
 * only when that answer's outcome is a value (no earlyReturn, error or crash). The host adopts the answers in order, as
 * if it had sent each call itself. `logs` are the resolver's console lines of
 * that call, [level, text] pairs, which the host prints as its own output
 * (CloudWatch Logs on AppSync).
 */
import { randomBytes } from 'node:crypto';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import vm from 'node:vm';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';

const { port, shared, runtimeSource } = workerData;
const flags = new Int32Array(shared, 0, 3);
const clock = new Float64Array(shared, 16, 1);
const answered = 1;
const exited = 2;

// First: whatever ends this thread (an uncaught exception, process.exit) wakes a host that waits on it,
// which could not run the Worker's own 'exit' event while blocked.
process.on('exit', () => {
  Atomics.store(flags, 0, exited);
  Atomics.notify(flags, 0);
});

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

/** Runs one handler call; `previousAnswer` is the answer handed on in a chain ('' for none). */
function call(id, input, previousAnswer) {
  const sandbox = sandboxes.get(id);
  if (!sandbox) return { ok: false, message: `no sandbox ${id} on this thread` };
  sandbox.control.setInput(input, previousAnswer);
  try {
    return { ok: true, answer: String(sandbox.dispatch.runInContext(sandbox.context)), kind: String(sandbox.control.outcomeKind()) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function runChain(calls) {
  const answers = [];
  let previousAnswer = '';
  for (let index = 0; index < calls.length; index += 1) {
    Atomics.store(flags, 1, index);
    clock[0] = performance.timeOrigin + performance.now();
    logs = [];
    const { kind, ...answer } = call(calls[index].id, calls[index].input, previousAnswer);
    answers.push({ ...answer, logs });
    // The next handler runs only after a value (no earlyReturn, error or crash), as the host would send it.
    if (!answer.ok || kind !== 'value') break;
    previousAnswer = answer.answer;
  }
  return { calls: answers };
}

function answer(request) {
  if (request.op === 'load') {
    logs = [];
    clock[0] = performance.timeOrigin + performance.now();
    try {
      return { ...load(request), logs };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error), logs };
    }
  }
  try {
    return runChain(request.calls);
  } catch (error) {
    return { calls: [{ ok: false, message: error instanceof Error ? error.message : String(error), logs }] };
  }
}

// Ready: the host waits for this before its first request, so start-up never counts against a time limit.
Atomics.store(flags, 0, answered);
Atomics.notify(flags, 0);

// Serve, blocked on the bell rather than on this thread's event loop: a wake-up costs a futex, not a
// message event (about a fifth of the round trip). The request itself still travels on the port,
// read synchronously, so its size has no bound here.
for (;;) {
  Atomics.wait(flags, 2, 0);
  Atomics.store(flags, 2, 0);
  let received = receiveMessageOnPort(port);
  // The host posts before it rings, so the message is there; should it ever lag, look again shortly.
  while (!received) {
    Atomics.wait(flags, 2, 0, 1);
    received = receiveMessageOnPort(port);
  }
  port.postMessage(answer(received.message));
  Atomics.store(flags, 0, answered);
  Atomics.notify(flags, 0);
}
