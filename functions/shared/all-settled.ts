/**
 * Work started side by side, awaited as one step of a run: every piece
 * settles before the step ends, so a failed run leaves nothing of it still
 * running (Lambda freezes the sandbox once the handler returns, and a half
 * done write would resume in some later invocation).
 */

/**
 * What the error a step rejects with carries of the step's other failures: the rejections after the first, in
 * argument order, each once. It is an own enumerable field, as the SDK's `$metadata` is, because that is what
 * reaches the logs: Powertools' Logger writes an error's enumerable fields (and formats the errors in them),
 * while it leaves out an AggregateError's `errors`, which are not enumerable.
 */
export interface StepFailure {
  readonly alsoFailed?: readonly unknown[];
}

/**
 * Waits for every promise to settle, then rejects with the first rejection in
 * argument order, if any: the callers classify that error (errorDisposition,
 * instanceof), so it is thrown as it came, not wrapped. The later rejections
 * go with it, as its `alsoFailed` (StepFailure), so a log of the failure shows
 * them all; `cause` is left alone, as it already says why the first failed.
 * An undefined entry stands for work not started.
 *
 * @example
 * await allSettledOrThrow([recordPushed(deps, id), writeEntries()]);
 */
export async function allSettledOrThrow(promises: readonly (Promise<unknown> | undefined)[]): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  const rejections = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (rejections.length === 0) return;
  // One error can reject two entries (a piece that awaits another's promise): it is carried once.
  const [first, ...others] = new Set(rejections.map((rejection) => rejection.reason as unknown));
  // A rejection that is no object (or a frozen one) can carry nothing: it is thrown alone, as before.
  if (others.length > 0 && typeof first === 'object' && first !== null && Object.isExtensible(first)) {
    // What an inner step already carried on it stays.
    const value = [...((first as StepFailure).alsoFailed ?? []), ...others];
    Object.defineProperty(first, 'alsoFailed', { value, enumerable: true, configurable: true, writable: true });
  }
  throw first;
}
