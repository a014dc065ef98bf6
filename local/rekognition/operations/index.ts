/** The operations the local Rekognition serves, by X-Amz-Target name. */
import { detectLabels, type OperationDeps } from './detect-labels.ts';
import { detectModerationLabels } from './detect-moderation-labels.ts';

export type Operation = (input: Record<string, unknown>, deps: OperationDeps) => Promise<unknown>;

export const operations: Readonly<Record<string, Operation>> = {
  DetectLabels: detectLabels,
  DetectModerationLabels: detectModerationLabels,
};

export type { OperationDeps } from './detect-labels.ts';
