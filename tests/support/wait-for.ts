/** Polling for a condition a test waits on, when nothing announces it. */

/** Resolves once `done()` holds, looking every `pollMs`; the test's own timeout bounds the wait. */
export async function waitFor(done: () => boolean | Promise<boolean>, pollMs = 200): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
