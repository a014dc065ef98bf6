import { describe, expect, it } from 'vitest';
import { appSyncRequestTimeoutSeconds } from '../../api/limits.ts';
import { dataSources, lambdaFunctions } from '../../api/manifest.ts';

describe('Lambda data sources', () => {
  // At or past AppSync's deadline the client is told ExecutionTimeout while the function still works on.
  it.each(Object.entries(dataSources).flatMap(([name, spec]) => (spec.kind === 'LAMBDA' ? [[name, spec.function] as const] : [])))(
    '%s (%s) times out before AppSync ends the request',
    (_dataSource, functionName) => {
      expect(lambdaFunctions[functionName].timeoutSeconds).toBeLessThan(appSyncRequestTimeoutSeconds);
    },
  );
});
