/**
 * Something loaded on its first need and kept: callers at the same moment
 * share one load; a load that failed is forgotten, so the next need tries
 * again (a transient failure must not fail every later image for the rest
 * of the stack's life, as no retry by the caller could then help).
 */
export function onFirstNeed<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
