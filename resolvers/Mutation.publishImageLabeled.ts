/**
 * Mutation.publishImageLabeled — IAM only, called by the labeler. It stores
 * nothing (the labeler already did); its result is what onImageLabeled pushes.
 * AppSync applies no input defaults, so a label published without `aliases`
 * gets [] here (Label.aliases is non-null).
 */
import type { Context, NONERequest } from '@aws-appsync/utils';

interface LabelInput {
  aliases?: string[] | null;
}

interface ImageLabeledInput {
  labels: LabelInput[];
  moderationLabels: LabelInput[];
}

function withAliases(labels: LabelInput[]) {
  return labels.map((label) => ({ ...label, aliases: label.aliases ?? [] }));
}

export function request(ctx: Context<{ input: ImageLabeledInput }>): NONERequest {
  const { input } = ctx.args;
  return { payload: { ...input, labels: withAliases(input.labels), moderationLabels: withAliases(input.moderationLabels) } };
}

export function response(ctx: Context) {
  return ctx.result;
}
