/**
 * DetectLabels: COCO-80 objects from the local detector, reported with
 * Rekognition's names, parents, aliases and categories (label model 3.0).
 * Features: GENERAL_LABELS, and IMAGE_PROPERTIES measured from the pixels
 * (../image-properties/), its Foreground being where the detected objects are.
 */
import type { DetectLabelsResponse } from '@aws-sdk/client-rekognition';
import type { VisionEngine } from '../engine/engine.ts';
import { invalidParameter } from '../errors.ts';
import { imageProperties, maxMaxDominantColors, defaultMaxDominantColors } from '../image-properties/index.ts';
import { peopleLabels } from '../faces/people-labels.ts';
import { labelsFromObjects } from '../labels.ts';
import { analyzeImage, internalError } from './analyze.ts';
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
    if (feature !== 'GENERAL_LABELS' && feature !== 'IMAGE_PROPERTIES') throw invalidParameter(`unknown feature ${JSON.stringify(feature)}`);
  }
  const settings = optionalRecord(input.Settings, 'Settings');
  const propertiesSettings = optionalRecord(settings?.ImageProperties, 'Settings.ImageProperties') ?? {};
  const maxDominantColors =
    optionalNumber(propertiesSettings, 'MaxDominantColors', { min: 0, max: maxMaxDominantColors, integer: true }) ?? defaultMaxDominantColors;
  const general = optionalRecord(settings?.GeneralLabels, 'Settings.GeneralLabels');
  const filters = {
    labelInclusion: optionalStringList(general?.LabelInclusionFilters, 'LabelInclusionFilters', maxFilterItems),
    labelExclusion: optionalStringList(general?.LabelExclusionFilters, 'LabelExclusionFilters', maxFilterItems),
    categoryInclusion: optionalStringList(general?.LabelCategoryInclusionFilters, 'LabelCategoryInclusionFilters', maxFilterItems),
    categoryExclusion: optionalStringList(general?.LabelCategoryExclusionFilters, 'LabelCategoryExclusionFilters', maxFilterItems),
  };

  const bytes = await resolveImage(input.Image, deps.readObject);
  const wantsLabels = features.includes('GENERAL_LABELS');
  const analysis = await analyzeImage(deps.engine, bytes, { objects: true, moderation: false, faces: wantsLabels });
  const persons = (analysis.objects ?? []).filter((object) => object.className === 'person');
  const people = peopleLabels(analysis.faces ?? [], persons);
  const labels = labelsFromObjects(analysis.objects ?? [], { minConfidence, maxLabels, filters }, people);
  const response: DetectLabelsResponse = {
    Labels: wantsLabels ? labels : [],
    LabelModelVersion: labelModelVersion,
  };
  if (!features.includes('IMAGE_PROPERTIES')) return response;
  // The foreground is where the objects are, at the confidence asked for (unfiltered, so the filters do not move it).
  const foreground = (analysis.objects ?? []).filter((object) => object.confidence >= minConfidence).map((object) => object.box);
  try {
    return { ...response, ImageProperties: await imageProperties(bytes, { maxDominantColors, foreground }) };
  } catch (error) {
    throw internalError(error);
  }
}
