import type { DataSourceError } from './errors.ts';

/** What a data source hands back to the response handler: ctx.result and ctx.error. */
export interface DataSourceOutcome {
  /** A JSON value of its own (no undefined, no shared objects): handlers get it as it is, without another copy. */
  readonly result: unknown;
  readonly error?: DataSourceError;
}
