/**
 * `npm run bench`: starts the offline stack (as `npm start` does, in a fresh
 * state directory), runs the measures in a client process that trusts the
 * stack's CA like any Node client, prints the table, stops the stack.
 */
import { spawn } from 'node:child_process';
import { repoRoot } from '../api/bundle.ts';
import { startStackProcess } from '../local/child-process-stack.ts';

const printed = (output: string, label: string) => {
  const match = new RegExp(`${label}:\\s+(\\S+)`).exec(output);
  if (!match) throw new Error(`the stack did not print ${label}`);
  return match[1];
};

const stack = await startStackProcess();
const output = stack.stdout();
const tableMatch = /DynamoDB:\s+\S+ \(table (\S+)\)/.exec(output);
const code = await new Promise<number | null>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/measure.ts'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: stack.caPath,
      BENCH_OUTPUTS: stack.outputsPath,
      BENCH_STATE_DIR: stack.stateDir,
      BENCH_STACK_PID: String(stack.process.pid),
      BENCH_REKOGNITION_ENDPOINT: printed(output, 'Rekognition'),
      BENCH_DYNAMODB_ENDPOINT: printed(output, 'DynamoDB'),
      BENCH_TABLE: tableMatch?.[1] ?? '',
    },
  });
  child.on('exit', resolve);
});
await stack.stop();
process.exit(code ?? 1);
