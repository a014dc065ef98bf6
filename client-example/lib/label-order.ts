/**
 * The one order labels are shown in, by the CLI, the web gallery and
 * `npm start`'s activity line: strongest first.
 *
 * Rekognition gives a parent its child's confidence (Animal and Mammal as
 * sure as Cat), so confidence alone ties them and says nothing of which to
 * name first. On a tie the more specific label comes first: one that fewer
 * of the other labels name as a parent (Cat, then Mammal, a parent of Cat,
 * then Animal, a parent of both); then by name, so the order never depends
 * on the order the server listed them in.
 *
 * Pure and dependency-free on purpose: the stack's activity log
 * (local/activity-log.ts) uses it too, without pulling client code in.
 *
 * @example
 * strongestFirst([
 *   { name: 'Animal', confidence: 77, parents: [] },
 *   { name: 'Cat', confidence: 77, parents: ['Mammal', 'Animal'] },
 *   { name: 'Mammal', confidence: 77, parents: ['Animal'] },
 * ]).map((label) => label.name) // ['Cat', 'Mammal', 'Animal']
 */

/** What the order reads of a label; `parents` may be missing (a payload that did not select it). */
export interface OrderedLabel {
  readonly name: string;
  readonly confidence: number;
  readonly parents?: readonly string[] | null;
}

/** A copy of `labels`, strongest first, the specific before its parents on a tie. */
export function strongestFirst<L extends OrderedLabel>(labels: readonly L[]): L[] {
  // How many of the labels name each label as a parent: 0 for the most specific.
  const childCount = new Map<string, number>();
  for (const label of labels) for (const parent of new Set(label.parents ?? [])) childCount.set(parent, (childCount.get(parent) ?? 0) + 1);
  const generality = (label: L) => childCount.get(label.name) ?? 0;
  return [...labels].sort(
    (a, b) => b.confidence - a.confidence || generality(a) - generality(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
