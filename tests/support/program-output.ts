/**
 * What a program (an ES module file) prints when node runs it, for tests of the bundles the repo builds. It runs in
 * a worker thread: node's own loader, as a process of its own has, for about half the CPU of starting node (~85 ms
 * against ~170 on the shared machine, once the process has started its first worker: for one run it is no cheaper).
 * A program that needs a process of its own (node flags, tsx's hooks, its exit code or stderr) is not for this.
 * It never terminates the program: one that does not exit (a listener, a timer it keeps) leaves the promise pending
 * until the test's timeout, and its worker running until the test process ends.
 */
import { Worker } from 'node:worker_threads';

/**
 * Resolves with what `file` printed to stdout, trimmed, once it exited 0 and all it printed was read; rejects when
 * it threw or exited otherwise.
 *
 * @example
 * expect(await programOutput(bundle)).toBe('hello');
 */
export function programOutput(file: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const worker = new Worker(file, { stdout: true });
    let printed = '';
    let exitCode: number | undefined;
    let ended = false;
    const settle = () => {
      if (exitCode === undefined || !ended) return;
      if (exitCode === 0) resolve(printed.trim());
      else reject(new Error(`${file} exited with ${exitCode}`));
    };
    worker.stdout.setEncoding('utf8');
    worker.stdout.on('data', (chunk: string) => (printed += chunk));
    worker.stdout.on('end', () => {
      ended = true;
      settle();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      exitCode = code;
      settle();
    });
  });
}
