/**
 * The glibc malloc settings the offline stack's own process (local/start.js: the local services, the vision engine's
 * worker thread) starts with. Local only: the stack is not deployed, and each Lambda function's process has its own,
 * deployed as well (api/manifest.ts `tuningEnvironment`; a function process does not inherit these).
 *
 * glibc reads them once, when the process starts, so the process cannot set them for itself: `npm start` (its script
 * in package.json) and child-process-stack.ts (the stacks of the tests and benches) start it with them, and
 * tests/local/stack-process-env.test.ts holds both to this list.
 *
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates an arena of its own (up to 8 a core) and keeps the
 *   memory freed in each. The stack's threads (libuv's pool, V8's helpers, the engine and sandbox workers, libvips')
 *   kept ~18 of them, 82 MiB, besides the main heap.
 * - `MALLOC_MMAP_THRESHOLD_=131072`: glibc's own default, 128 KiB, made fixed. Left dynamic, glibc raises it to the size
 *   of every mmapped block freed (up to 32 MiB), after which image-sized buffers (upload bodies, decoded pixels) come
 *   from the arenas, and what they leave there when freed stays resident; at or above the threshold a block is its own
 *   mapping, returned to the system when freed.
 *
 * In `BENCH_ONLY=memory npm run bench` the stack's process ended at 463 MiB RSS without them, 435 with the first,
 * 409 with both (the same run, one after the other).
 */
export const stackProcessMallocEnvironment: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
};
