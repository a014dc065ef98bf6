/**
 * One order of labels everywhere a person reads them (client-example/lib/label-order.ts):
 * the CLI's list line and image block, the web gallery's chips, and `npm start`'s activity line.
 */
import { describe, expect, it } from 'vitest';
import { formatImage, formatImageLine } from '../../client-example/cli/format.ts';
import type { Image } from '../../client-example/graphql/index.ts';
import { strongestFirst } from '../../client-example/lib/label-order.ts';
import { byConfidence } from '../../client-example/web/src/labelled-image.ts';
import { endedImageLine } from '../../local/activity-log.ts';

/** A cat photo as Rekognition labels it: the parents as sure as the child, listed alphabetically by the server. */
const catLabels = [
  { name: 'Animal', confidence: 77.2, parents: [] },
  { name: 'Cat', confidence: 77.2, parents: ['Mammal', 'Animal'] },
  { name: 'Mammal', confidence: 77.2, parents: ['Animal'] },
  { name: 'Pet', confidence: 60, parents: ['Animal'] },
];

const image = (labels: typeof catLabels): Image =>
  ({
    id: 'img-1',
    status: 'LABELED',
    fileName: 'cat.jpg',
    createdAt: '2026-11-29T10:00:00.000Z',
    labeledAt: '2026-11-29T10:00:01.000Z',
    error: null,
    labels: labels.map((label) => ({ ...label, aliases: [], categories: [], instances: [] })),
    moderationLabels: [],
  }) as unknown as Image;

describe('Function: strongestFirst', () => {
  it('puts the strongest first and, on a tie, the specific label before its parents', () => {
    // Act
    const names = strongestFirst(catLabels).map((label) => label.name);
    // Assess
    expect(names).toEqual(['Cat', 'Mammal', 'Animal', 'Pet']);
  });

  it('gives the same order whatever order the server listed them in', () => {
    // Prepare
    const reversed = [...catLabels].reverse();
    // Act / Assess
    expect(strongestFirst(reversed)).toEqual(strongestFirst(catLabels));
  });

  it('orders unrelated labels of equal confidence by name, and takes labels without parents', () => {
    // Act
    const names = strongestFirst([{ name: 'Tree', confidence: 50 }, { name: 'Plant', confidence: 50, parents: null }, { name: 'Sky', confidence: 90 }]).map((label) => label.name);
    // Assess
    expect(names).toEqual(['Sky', 'Plant', 'Tree']);
  });

  it('leaves its input as it was', () => {
    // Prepare
    const labels = [...catLabels];
    // Act
    strongestFirst(labels);
    // Assess
    expect(labels).toEqual(catLabels);
  });
});

describe('One order: CLI, gallery and activity line', () => {
  it('the CLI list line names Cat first, as the gallery and the activity line do', () => {
    // Act
    const listLine = formatImageLine(image(catLabels));
    const block = formatImage(image(catLabels));
    const activity = endedImageLine({ ...image(catLabels) });
    const gallery = byConfidence(catLabels).map((label) => label.name);
    // Assess
    expect(listLine.endsWith('Cat 77%, Mammal 77%, Animal 77%')).toBe(true);
    expect(activity).toContain('Cat 77%, Mammal 77%, Animal 77%');
    expect(block.split('\n').slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual(gallery);
    expect(gallery).toEqual(['Cat', 'Mammal', 'Animal', 'Pet']);
  });
});
