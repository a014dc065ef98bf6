/**
 * `npm run bench`: starts the offline stack (as `npm start` does, in a fresh
 * state directory), runs the measures in a client process that trusts the
 * stack's CA like any Node client, prints the table, stops the stack and
 * removes its state directory.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { repoRoot } from '../api/bundle.ts';
import { startStackProcess } from '../local/child-process-stack.ts';
import { benchEnvFor, benchStackSettings, benchStackSettingsLine } from './lib/stack-env.ts';

console.log(benchStackSettingsLine());
const stack = await startStackProcess({ env: benchStackSettings });
const code = await new Promise<number | null>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/measure.ts'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, ...benchEnvFor(stack) },
  });
  child.on('exit', resolve);
});
await stack.stop();
// A fresh state directory each run (up to ~400 MiB of tables and objects): nothing reads it once the stack is stopped.
rmSync(stack.stateDir, { recursive: true, force: true });
process.exit(code ?? 1);
