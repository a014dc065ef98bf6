/**
 * Mutation.publishImageLabeled — IAM only, called by the labeler. It stores
 * nothing (the labeler already did); its result is what onImageLabeled pushes.
 */
import type { Context, NONERequest } from '@aws-appsync/utils';

export function request(ctx: Context<{ input: Record<string, unknown> }>): NONERequest {
  return { payload: ctx.args.input };
}

export function response(ctx: Context) {
  return ctx.result;
}
