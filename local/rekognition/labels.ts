/**
 * Turns the engine's detected objects (and the face models' people labels,
 * faces/people-labels.ts) into DetectLabels' Labels: names from
 * the taxonomy, parents added as labels in their own right (confidence = the
 * best of their children, as Rekognition does), then MinConfidence, the
 * GeneralLabels filters, ordering and MaxLabels.
 */
import type { Label } from '@aws-sdk/client-rekognition';
import type { DetectedObject } from './engine/object-detector.ts';
import type { PeopleLabel } from './faces/people-labels.ts';
import { labelDefinition, labelOfCocoClass } from './taxonomy.ts';

export interface GeneralLabelsFilters {
  readonly labelInclusion?: readonly string[];
  readonly labelExclusion?: readonly string[];
  readonly categoryInclusion?: readonly string[];
  readonly categoryExclusion?: readonly string[];
}

export interface LabelQuery {
  /** 0–100; labels and instances below it are dropped. */
  readonly minConfidence: number;
  /** Highest-confidence labels kept; all when undefined. */
  readonly maxLabels?: number;
  readonly filters?: GeneralLabelsFilters;
}

interface Found {
  confidence: number;
  readonly instances: { readonly Confidence: number; readonly BoundingBox: { Width: number; Height: number; Left: number; Top: number } }[];
}

export function labelsFromObjects(objects: readonly DetectedObject[], query: LabelQuery, people: readonly PeopleLabel[] = []): Label[] {
  const found = new Map<string, Found>();
  const entry = (name: string): Found => {
    let value = found.get(name);
    if (!value) found.set(name, (value = { confidence: 0, instances: [] }));
    return value;
  };

  for (const object of objects) {
    if (object.confidence < query.minConfidence) continue;
    const name = labelOfCocoClass[object.className];
    const label = entry(name);
    label.confidence = Math.max(label.confidence, object.confidence);
    label.instances.push({
      Confidence: object.confidence,
      BoundingBox: { Width: object.box.width, Height: object.box.height, Left: object.box.left, Top: object.box.top },
    });
  }
  for (const person of people) {
    if (person.confidence < query.minConfidence) continue;
    const label = entry(person.name);
    label.confidence = Math.max(label.confidence, person.confidence);
    for (const instance of person.instances) {
      if (instance.confidence < query.minConfidence) continue;
      label.instances.push({
        Confidence: instance.confidence,
        BoundingBox: { Width: instance.box.width, Height: instance.box.height, Left: instance.box.left, Top: instance.box.top },
      });
    }
  }
  for (const [name, label] of [...found]) {
    for (const parent of labelDefinition(name).parents) {
      const ancestor = entry(parent);
      ancestor.confidence = Math.max(ancestor.confidence, label.confidence);
    }
  }

  const labels: Label[] = [...found].map(([name, label]) => {
    const definition = labelDefinition(name);
    return {
      Name: name,
      Confidence: label.confidence,
      Instances: [...label.instances].sort((a, b) => b.Confidence - a.Confidence),
      Parents: definition.parents.map((parent) => ({ Name: parent })),
      Aliases: definition.aliases.map((alias) => ({ Name: alias })),
      Categories: definition.categories.map((category) => ({ Name: category })),
    };
  });

  const kept = labels
    .filter((label) => passesFilters(label, query.filters ?? {}))
    .sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0) || (a.Name ?? '').localeCompare(b.Name ?? ''));
  return query.maxLabels === undefined ? kept : kept.slice(0, query.maxLabels);
}

/**
 * Inclusion filters (by name or by category) keep a label that matches any of
 * them; exclusion filters then drop what matches any of theirs.
 */
function passesFilters(label: Label, filters: GeneralLabelsFilters): boolean {
  const name = label.Name ?? '';
  const categories = (label.Categories ?? []).map((category) => category.Name ?? '');
  const includes = [...(filters.labelInclusion ?? []), ...(filters.categoryInclusion ?? [])].length > 0;
  if (includes && !(filters.labelInclusion ?? []).includes(name) && !categories.some((category) => (filters.categoryInclusion ?? []).includes(category))) {
    return false;
  }
  if ((filters.labelExclusion ?? []).includes(name)) return false;
  return !categories.some((category) => (filters.categoryExclusion ?? []).includes(category));
}
