import type { DataSourceError } from './errors.ts';

/** What a data source hands back to the response handler: ctx.result and ctx.error. */
export interface DataSourceOutcome {
  readonly result: unknown;
  readonly error?: DataSourceError;
}
