/**
 * What a labelled image is searchable under: each label's name, its aliases
 * and its parents (Rekognition usually returns parents as labels too, but
 * MaxLabels can cut them), each at the best confidence seen for that name;
 * and the byLabel entries that make those names searchable (api/table.ts).
 */
import {
  labelEntryKey,
  labelIndexKey,
  labelIndexSort,
  normalizeLabel,
  thresholdsUpTo,
} from '../../api/table.ts';
import { ownerOfItem } from '../../api/owner.ts';
import type { Image, Label } from '../../api/types.ts';

export interface IndexedName {
  /** As shown to users, e.g. "Cat". */
  readonly name: string;
  readonly confidence: number;
}

/** Distinct (case-insensitively) names, labels' own names first so they give the display name. */
export function indexedNames(labels: readonly Label[]): IndexedName[] {
  const byKey = new Map<string, IndexedName>();
  const add = (name: string, confidence: number) => {
    const key = normalizeLabel(name);
    if (key === '') return;
    const seen = byKey.get(key);
    byKey.set(key, { name: seen?.name ?? name.trim(), confidence: Math.max(seen?.confidence ?? 0, confidence) });
  };
  for (const label of labels) add(label.name, label.confidence);
  for (const label of labels) {
    for (const other of [...label.aliases, ...label.parents]) add(other, label.confidence);
  }
  return [...byKey.values()];
}

/**
 * One entry per indexed name and confidence threshold it reaches, each with a
 * copy of the image, in the image owner's part of the index.
 */
export function labelEntries(image: Image): Record<string, unknown>[] {
  const owner = ownerOfItem(image);
  return indexedNames(image.labels).flatMap(({ name, confidence }) =>
    thresholdsUpTo(confidence).map((threshold) => ({
      ...labelEntryKey(image.id, name, threshold),
      labelKey: labelIndexKey(owner, name, threshold),
      labelSort: labelIndexSort(image.createdAt, image.id),
      confidence,
      image,
    })),
  );
}
