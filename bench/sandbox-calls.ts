/**
 * What one resolver handler call costs in CPU, through the sandbox as the local AppSync makes it (code-loader.ts:
 * bundled, checked, loaded into its own context on the sandbox thread): `npx tsx bench/sandbox-calls.ts`
 * (CALLS=10000, ROUNDS=5 by default). The resolver (tests/local-appsync-runtime/fixtures/sandbox/builtins.ts)
 * calls built-in methods and util functions; each round times CALLS response calls with process.cpuUsage (the
 * whole process: this thread and the sandbox thread). Prints each round's and the median µs of CPU per call, as JSON.
 */
import { createCodeLoader } from '../local/appsync/resolvers/code-loader.ts';
import { createInvocationState } from '../local/appsync/appsync-utils/invocation.ts';

const calls = Number(process.env.CALLS ?? 10_000);
const rounds = Number(process.env.ROUNDS ?? 5);

const code = createCodeLoader().load('tests/local-appsync-runtime/fixtures/sandbox/builtins.ts');
const input = {
  handler: 'response' as const,
  context: {
    arguments: { mode: 'supported' },
    args: { mode: 'supported' },
    result: { id: 'abc-def-ghi', words: ['a', 'b', 'c'], codes: [65] },
    stash: {},
    prev: { result: null },
    identity: null,
    source: null,
    info: {},
    request: {},
    env: {},
  },
  state: createInvocationState('API Key Authorization'),
};

// Warm up: the thread, the context's compiled code.
for (let index = 0; index < 1000; index += 1) code.call(input);

const perCall: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  const before = process.cpuUsage();
  for (let index = 0; index < calls; index += 1) code.call(input);
  const used = process.cpuUsage(before);
  perCall.push(Math.round(((used.user + used.system) / calls) * 10) / 10);
}
const sorted = [...perCall].sort((left, right) => left - right);
console.log(JSON.stringify({ calls, rounds, cpuMicrosPerCall: perCall, medianCpuMicrosPerCall: sorted[Math.floor(sorted.length / 2)] }));
