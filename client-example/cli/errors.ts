/**
 * The CLI's errors. Each carries its exit code and a message that is the
 * whole story on one line: what was wrong and what to do.
 */

/** Base of every error the CLI reports by itself (anything else is AppSync's or a bug). */
export class CliError extends Error {
  public override readonly name: string = 'CliError';
  /** 2 for bad usage, 1 for everything else, as the usage text promises. */
  public readonly exitCode: number = 1;
}

/** Bad usage: an unknown command, option or file, a bad value. Exit code 2. */
export class UsageError extends CliError {
  public override readonly name = 'UsageError';
  public override readonly exitCode = 2;
}

/**
 * The CLI cannot talk to a stack: no amplify_outputs.json, the API does not
 * answer, its certificate is not trusted. Exit code 1.
 */
export class SetupError extends CliError {
  public override readonly name = 'SetupError';
}
