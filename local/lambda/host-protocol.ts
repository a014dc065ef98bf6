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
