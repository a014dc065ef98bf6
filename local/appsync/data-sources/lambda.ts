/**
 * The LAMBDA data source: { operation: 'Invoke' | 'BatchInvoke', payload,
 * invocationType? }. A failed invocation is ctx.error with type Lambda:Unhandled.
 */
import type { LambdaFunctionName } from '../../../api/manifest.ts';
import { asJson } from '../as-json.ts';
import { InvalidRequestError } from '../errors.ts';
import { lambdaError } from './errors.ts';
import type { DataSourceOutcome } from './types.ts';

export type InvokeLambda = (functionName: LambdaFunctionName, payload: unknown) => Promise<unknown>;

export function createLambdaDataSource(functionName: LambdaFunctionName, invokeLambda: InvokeLambda) {
  return {
    async invoke(request: unknown): Promise<DataSourceOutcome> {
      const { operation, payload, invocationType } = (request ?? {}) as Record<string, unknown>;
      if (operation !== 'Invoke' && operation !== 'BatchInvoke') {
        throw new InvalidRequestError(`Unsupported operation '${String(operation)}'. Lambda requests use Invoke or BatchInvoke.`);
      }
      // The local AppSync does not batch fields, so a BatchInvoke carries a batch of one.
      const event = operation === 'BatchInvoke' ? [payload] : payload;
      if (invocationType === 'Event') {
        invokeLambda(functionName, event).catch(() => undefined);
        return { result: null };
      }
      try {
        const output = await invokeLambda(functionName, event);
        // Lambda hands its result back as JSON too.
        return { result: asJson(operation === 'BatchInvoke' && Array.isArray(output) ? output[0] : output) };
      } catch (error) {
        return { result: null, error: lambdaError(error) };
      }
    },
  };
}
