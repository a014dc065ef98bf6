/**
 * Mutation.publishImageLabeled — IAM only, called by the labeler. It stores
 * nothing (the labeler already did); its result is what onImageLabeled pushes.
 * AppSync applies no input defaults, so a label published without `aliases`
 * gets [] here (Label.aliases is non-null).
 * Only a terminal image of a well-formed id is published: subscribers filter on the id.
 */
import type { Context, NONERequest } from '@aws-appsync/utils';
import { badRequest, checkedImageId } from './shared/arguments.ts';

interface LabelInput {
  aliases?: string[] | null;
}

interface ImageLabeledArgs {
  input: { id: string; status: string; labels: LabelInput[]; moderationLabels: LabelInput[] } & Record<string, unknown>;
}

function withAliases(labels: LabelInput[]) {
  return labels.map((label) => ({ ...label, aliases: label.aliases ?? [] }));
}

export function request(ctx: Context<ImageLabeledArgs>): NONERequest {
  const { input } = ctx.args;
  checkedImageId(input.id, 'id');
  if (input.status !== 'LABELED' && input.status !== 'FAILED') badRequest('status must be LABELED or FAILED', 'status');
  return { payload: { ...input, labels: withAliases(input.labels), moderationLabels: withAliases(input.moderationLabels) } };
}

export function response(ctx: Context) {
  return ctx.result;
}
