/** Messages between the local Lambda runtime and a function host process. */
export interface InvokeMessage {
  readonly requestId: string;
  readonly event: unknown;
  readonly timeoutMs: number;
}

export type HostMessage =
  /** `payload`: the handler's result as JSON text, as Lambda's runtime posts it (response-payload.ts). */
  | { readonly requestId: string; readonly ok: true; readonly payload: string }
  | {
      readonly requestId: string;
      readonly ok: false;
      readonly errorType: string;
      readonly errorMessage: string;
      readonly trace: readonly string[];
    };
