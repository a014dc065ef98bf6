/**
 * Errors of loading resolver code into the local AppSync. A bundle that breaks
 * an APPSYNC_JS rule is api/appsync-js-check.ts's AppSyncJsCheckError; these
 * cover what goes wrong after the check (a bundle that cannot be evaluated).
 */

/** Base error of resolver code loading; `code` is the file as api/manifest.ts names it. */
export class ResolverCodeError extends Error {
  public override readonly name: string = 'ResolverCodeError';
  public constructor(
    public readonly code: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${code} ${problem}`, options);
  }
}
