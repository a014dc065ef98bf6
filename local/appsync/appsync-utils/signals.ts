/**
 * Control-flow signals thrown by util.error, util.unauthorized and
 * runtime.earlyReturn. They are plain objects tagged with a registry symbol,
 * not class instances, so the evaluator recognises signals thrown by any
 * bundle's copy of this runtime.
 */

const signalTag = Symbol.for('labelcast.appsync.signal');

export const SignalKind = {
  ERROR: 'ERROR',
  EARLY_RETURN: 'EARLY_RETURN',
} as const;
export type SignalKind = (typeof SignalKind)[keyof typeof SignalKind];

export interface ErrorSignal {
  readonly [signalTag]: typeof SignalKind.ERROR;
  readonly message: string;
  readonly errorType?: string;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
  /** Thrown by util.unauthorized(); the evaluator words the message for the field. */
  readonly unauthorized?: true;
}

export interface EarlyReturnSignal {
  readonly [signalTag]: typeof SignalKind.EARLY_RETURN;
  readonly value: unknown;
  readonly skipTo?: 'END' | 'NEXT';
}

export type Signal = ErrorSignal | EarlyReturnSignal;

export function errorSignal(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): ErrorSignal {
  const signal: ErrorSignal = { [signalTag]: SignalKind.ERROR, message };
  // Only the arguments given show up in the GraphQL error, as in AppSync.
  return {
    ...signal,
    ...(errorType !== undefined ? { errorType } : {}),
    ...(data !== undefined ? { data } : {}),
    ...(errorInfo !== undefined ? { errorInfo } : {}),
  };
}

export function earlyReturnSignal(value: unknown, skipTo?: 'END' | 'NEXT'): EarlyReturnSignal {
  return { [signalTag]: SignalKind.EARLY_RETURN, value, ...(skipTo ? { skipTo } : {}) };
}

export function isErrorSignal(thrown: unknown): thrown is ErrorSignal {
  return typeof thrown === 'object' && thrown !== null && (thrown as ErrorSignal)[signalTag] === SignalKind.ERROR;
}

export function isEarlyReturnSignal(thrown: unknown): thrown is EarlyReturnSignal {
  return (
    typeof thrown === 'object' && thrown !== null && (thrown as EarlyReturnSignal)[signalTag] === SignalKind.EARLY_RETURN
  );
}
