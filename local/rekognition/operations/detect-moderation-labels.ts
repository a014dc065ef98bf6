/** DetectModerationLabels: nsfwjs MobileNetV2 mapped onto the version 7 moderation taxonomy. */
import type { DetectModerationLabelsResponse } from '@aws-sdk/client-rekognition';
import { invalidParameter } from '../errors.ts';
import { moderationFromNsfw, moderationModelVersion } from '../moderation.ts';
import { analyzeImage } from './analyze.ts';
import type { OperationDeps } from './detect-labels.ts';
import { resolveImage } from './image-source.ts';
import { optionalNumber } from './validate.ts';

/** Rekognition's default MinConfidence for DetectModerationLabels. */
export const defaultModerationMinConfidence = 50;

export async function detectModerationLabels(input: Record<string, unknown>, deps: OperationDeps): Promise<DetectModerationLabelsResponse> {
  const minConfidence = optionalNumber(input, 'MinConfidence', { min: 0, max: 100 }) ?? defaultModerationMinConfidence;
  if (input.ProjectVersion !== undefined) throw invalidParameter('the local Rekognition has no custom moderation adapters (ProjectVersion)');
  // HumanLoopConfig is accepted and ignored: there is no Amazon A2I here.

  const bytes = await resolveImage(input.Image, deps.readObject);
  const analysis = await analyzeImage(deps.engine, bytes, { objects: false, moderation: true });
  if (!analysis.nsfw) throw new Error('the engine returned no moderation scores');
  const { ModerationLabels, ContentTypes } = moderationFromNsfw(analysis.nsfw, minConfidence);
  return { ModerationLabels, ModerationModelVersion: moderationModelVersion, ContentTypes };
}
