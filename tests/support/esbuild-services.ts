/**
 * esbuild's service processes a process runs (Linux: /proc), for the tests that check a stack keeps none once its
 * resolvers are bundled. Live ones only: a service that exited but was not reaped (a zombie, no memory) has no
 * command line left.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Whether this machine lists child processes in /proc (Linux). */
export const listsChildProcesses = existsSync('/proc/self/task');

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** The pids of `pid`'s children (of every thread of it) running esbuild's service (`esbuild --service=<version>`). */
export function esbuildServices(pid: number): number[] {
  const threads = readdirSync(`/proc/${pid}/task`);
  const children = threads.flatMap((thread) => read(`/proc/${pid}/task/${thread}/children`).trim().split(' ').filter(Boolean).map(Number));
  return children.filter((child) => {
    const argv = read(`/proc/${child}/cmdline`).split('\0');
    return argv.some((arg) => arg.startsWith('--service='));
  });
}
