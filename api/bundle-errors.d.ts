/** Types of ./bundle-errors.js (plain JavaScript, so the launchers run without a loader). */
/** Base class of every error of the bundle builds and their cache. */
export class BundleError extends Error {
  public constructor(message: string, options?: ErrorOptions);
}
/** esbuild could not build the sources; the message is esbuild's. */
export class BundleBuildError extends BundleError {}
/** The cache directory could not be made or written. */
export class BundleCacheError extends BundleError {}
