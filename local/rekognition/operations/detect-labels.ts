/**
 * DetectLabels: COCO-80 objects from the local detector, reported with
 * Rekognition's names, parents, aliases and categories (label model 3.0).
 * Features: GENERAL_LABELS only; IMAGE_PROPERTIES is refused, not faked.
 */
import type { DetectLabelsResponse } from '@aws-sdk/client-rekognition';
import type { VisionEngine } from '../engine/engine.ts';
import { invalidParameter } from '../errors.ts';
import { labelsFromObjects } from '../labels.ts';
import { analyzeImage } from './analyze.ts';
import { resolveImage, type ReadObject } from './image-source.ts';
import { optionalNumber, optionalRecord, optionalStringList } from './validate.ts';

export const labelModelVersion = '3.0';
/** Rekognition's default MinConfidence for DetectLabels. */
export const defaultMinConfidence = 55;
const maxFilterItems = 100;

export interface OperationDeps {
  readonly engine: VisionEngine;
  readonly readObject: ReadObject;
}

export async function detectLabels(input: Record<string, unknown>, deps: OperationDeps): Promise<DetectLabelsResponse> {
  const maxLabels = optionalNumber(input, 'MaxLabels', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
  const minConfidence = optionalNumber(input, 'MinConfidence', { min: 0, max: 100 }) ?? defaultMinConfidence;
  const features = optionalStringList(input.Features, 'Features', 2) ?? ['GENERAL_LABELS'];
  for (const feature of features) {
    if (feature === 'IMAGE_PROPERTIES') throw invalidParameter('the local Rekognition does not support the IMAGE_PROPERTIES feature');
    if (feature !== 'GENERAL_LABELS') throw invalidParameter(`unknown feature ${JSON.stringify(feature)}`);
  }
  const settings = optionalRecord(input.Settings, 'Settings');
  const general = optionalRecord(settings?.GeneralLabels, 'Settings.GeneralLabels');
  const filters = {
    labelInclusion: optionalStringList(general?.LabelInclusionFilters, 'LabelInclusionFilters', maxFilterItems),
    labelExclusion: optionalStringList(general?.LabelExclusionFilters, 'LabelExclusionFilters', maxFilterItems),
    categoryInclusion: optionalStringList(general?.LabelCategoryInclusionFilters, 'LabelCategoryInclusionFilters', maxFilterItems),
    categoryExclusion: optionalStringList(general?.LabelCategoryExclusionFilters, 'LabelCategoryExclusionFilters', maxFilterItems),
  };

  const bytes = await resolveImage(input.Image, deps.readObject);
  const analysis = await analyzeImage(deps.engine, bytes, { objects: true, moderation: false });
  return {
    Labels: labelsFromObjects(analysis.objects ?? [], { minConfidence, maxLabels, filters }),
    LabelModelVersion: labelModelVersion,
  };
}
