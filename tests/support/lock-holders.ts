/**
 * What the build-lock tests (tests/api/build-cache.test.ts, tests/local/gallery-build.test.ts) make a left-behind
 * lock of: the pid of a process that has exited, and a modification time minutes ago.
 */
import { execFile } from 'node:child_process';
import { utimesSync } from 'node:fs';

/** The id of a process that ran and exited (`true`: a node would cost ~0.15 CPU-s to start). */
export const diedPid = (): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    const child = execFile('true');
    child.once('error', reject).once('exit', () => resolve(child.pid!));
  });

/** Sets a file's or directory's modification time `minutes` ago (a negative count: ahead). */
export function backdate(file: string, minutes: number): void {
  const then = new Date(Date.now() - minutes * 60_000);
  utimesSync(file, then, then);
}
