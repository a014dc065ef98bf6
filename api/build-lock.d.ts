/** Types of ./build-lock.js (plain JavaScript, so the launchers run without a loader). */

/** A lock this process holds, touched until released. */
export interface HeldLock {
  /** Stops touching the lock and removes it, unless another contender took it over (judged it left behind). */
  release(): void;
}
/** A build that one process at a time runs (oneBuildAtATime). */
export interface OneBuild<T> {
  /** The lock file the builder holds. */
  readonly lock: string;
  /** The build already made (by this process before, or by another meanwhile); undefined while there is none. */
  readonly existing: () => T | undefined;
  readonly build: () => Promise<T>;
  /** Called once per call, the first time it waits for another process's build. */
  readonly onWait?: () => void;
}
/** Returns `existing()` once it finds a build; else builds holding `lock`, or waits while another process holds it. */
export function oneBuildAtATime<T>(args: OneBuild<T>): Promise<T>;
/** How long a lock may go untouched before others stop waiting for its holder. */
export const lockStaleMs: number;
/** How often a waiter looks at the lock. */
export const lockPollMs: number;
/** Takes `lock` when nobody holds it; undefined when another holds it; throws when the file cannot be made. */
export function takeLock(lock: string): HeldLock | undefined;
/** Whether `lock` is free to take: gone, or left behind by a dead or hung holder (then removed). */
export function lockFreed(lock: string): boolean;
/** Whether the process whose pid `pidText` spells still runs; what is no pid counts as running. */
export function pidAlive(pidText: string): boolean;
