/**
 * Mutation.publishImageLabeled — IAM only, called by the labeler. It stores
 * nothing (the labeler already did); its result is what onImageLabeled pushes.
 * Only a terminal image of a well-formed id is published: subscribers filter on the id.
 */
import type { Context, NONERequest } from '@aws-appsync/utils';
import { badRequest, checkedImageId } from './shared/arguments.ts';

interface ImageLabeledArgs {
  input: { id: string; status: string } & Record<string, unknown>;
}

export function request(ctx: Context<ImageLabeledArgs>): NONERequest {
  const { input } = ctx.args;
  checkedImageId(input.id, 'id');
  if (input.status !== 'LABELED' && input.status !== 'FAILED') badRequest('status must be LABELED or FAILED', 'status');
  return { payload: input };
}

export function response(ctx: Context) {
  return ctx.result;
}
