/**
 * The flags Lambda's Node.js runtime starts node with. Its bootstrap
 * (/var/runtime/bootstrap in the nodejs base images) sizes V8's heap from the
 * function's memory: a tenth of it for the young generation (two semi-spaces
 * of half that each) and the rest for the old generation. So a function whose
 * heap outgrows its memory dies offline as it dies on AWS (V8's fatal "heap
 * out of memory": the process aborts, a Runtime.ExitError; or, when the heap
 * and the rest of the process outgrow the function's memory first, killed for
 * it, a Runtime.OutOfMemory: memory-limit.ts), rather than
 * growing into the host's memory, and V8 collects as it would on Lambda,
 * against the function's own limit rather than one derived from the host's RAM.
 *
 * The young generation is then larger than V8's default for the bigger
 * functions: V8 rounds a semi-space up to a power of two, so the 512 MB
 * labeler's may grow to 2 × 32 MiB (the default caps it at 2 × 16 MiB). It
 * grows with the bytes that survive its collections and does not shrink while
 * the process stays busy; in `BENCH_ONLY=memory npm run bench` the labeler
 * processes reached 2 × 16 MiB, as without these flags.
 *
 * It also passes the bootstrap's two other flags: `--expose-gc` (a handler
 * may call `global.gc()` on Lambda) and `--max-http-header-size 81920` (80 KiB,
 * where node's default is 16 KiB: an answer with larger headers that a
 * function reads on AWS would fail here otherwise).
 *
 * @example lambdaNodeFlags(512) // ['--expose-gc', '--max-http-header-size=81920', '--max-semi-space-size=25', '--max-old-space-size=461']
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  if (!Number.isInteger(memoryMb) || memoryMb < 128) throw new RangeError(`a function's memory is a whole number of MB from 128, got ${memoryMb}`);
  // Integer division, as the bootstrap's `expr` divides.
  const newSpace = Math.floor(memoryMb / 10);
  return ['--expose-gc', '--max-http-header-size=81920', `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}
