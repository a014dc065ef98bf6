/**
 * The errors of the bundle builds and their cache (./bundle-build.js, ./cached-bundle.js), with one base class.
 *
 * | error            | when                                                                                  |
 * | ---------------- | ------------------------------------------------------------------------------------- |
 * | BundleBuildError | esbuild refused the sources (a syntax error, an import it cannot resolve); its text    |
 * | BundleCacheError | the cache directory cannot be made or written (a read-only node_modules)              |
 *
 * Plain JavaScript, like the launchers that meet them (node runs them without a loader).
 */

/** Base class of every error of the bundle builds and their cache. */
export class BundleError extends Error {
  /**
   * @param {string} message
   * @param {ErrorOptions} [options]
   */
  constructor(message, options) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** esbuild could not build the sources; the message is esbuild's (file, line, what is wrong). */
export class BundleBuildError extends BundleError {}

/** The cache directory could not be made or written: the build has no place to be kept. */
export class BundleCacheError extends BundleError {}
