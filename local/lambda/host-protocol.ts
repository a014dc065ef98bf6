/** Messages between the local Lambda runtime and a function host process. */
export interface InvokeMessage {
  readonly requestId: string;
  readonly event: unknown;
  readonly timeoutMs: number;
}

export type HostMessage =
  | { readonly requestId: string; readonly ok: true; readonly result: unknown }
  | {
      readonly requestId: string;
      readonly ok: false;
      readonly errorType: string;
      readonly errorMessage: string;
      readonly trace: readonly string[];
    };

/** An invocation that ended with the function's error, as Lambda reports "Unhandled". */
export class FunctionError extends Error {
  public constructor(
    public readonly errorType: string,
    message: string,
    public readonly trace: readonly string[] = [],
  ) {
    super(message);
    this.name = errorType;
  }
}
