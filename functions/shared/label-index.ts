/**
 * What a labelled image is searchable under: each label's name, its aliases
 * and its parents (Rekognition usually returns parents as labels too, but
 * MaxLabels can cut them), each at the best confidence seen for that name;
 * and the label entries that make those names searchable (api/table.ts).
 */
import { labelEntryKey, normalizeLabel, thresholdsUpTo } from '../../api/table.ts';
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

/** A label entry as stored: its key, and what a search page needs to find the image (api/table.ts). */
export interface LabelEntry {
  readonly pk: string;
  readonly sk: string;
  /** The image's id; its table key is imageKey(id). */
  readonly id: string;
  /** The name's confidence, for the filter between thresholds. */
  readonly confidence: number;
}

/**
 * One entry per indexed name and confidence threshold it reaches, in the
 * image owner's part of the index. Keys only, besides the confidence: the
 * search reads the images themselves. Derived from the image alone, so the
 * same image always gives the same keys (the delete function relies on it).
 */
export function labelEntries(image: Pick<Image, 'id' | 'createdAt' | 'labels' | 'owner'>): LabelEntry[] {
  const owner = ownerOfItem(image);
  return indexedNames(image.labels).flatMap(({ name, confidence }) =>
    thresholdsUpTo(confidence).map((threshold) => ({
      ...labelEntryKey(owner, name, threshold, image.createdAt, image.id),
      id: image.id,
      confidence,
    })),
  );
}
