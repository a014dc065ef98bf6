/**
 * Work started side by side, awaited as one step of a run: every piece
 * settles before the step ends, so a failed run leaves nothing of it still
 * running (Lambda freezes the sandbox once the handler returns, and a half
 * done write would resume in some later invocation).
 */

/**
 * Waits for every promise to settle, then rejects with the first rejection in
 * argument order, if any. An undefined entry stands for work not started.
 *
 * @example
 * await allSettledOrThrow([recordPushed(deps, id), writeEntries()]);
 */
export async function allSettledOrThrow(promises: readonly (Promise<unknown> | undefined)[]): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
