/**
 * Unit tests of the gallery's caption placement (client-example/web/src/box-layout.ts):
 * captions never overlap, stay inside the picture, and prefer the spot just above their box.
 */
import { describe, expect, it } from 'vitest';
import { labelColours, overlaps, placeCaptions, type Caption, type Rect } from '../../client-example/web/src/box-layout.ts';

const caption = (box: Rect, width = 80, height = 16): Caption => ({ box, size: { width, height } });
const frame = { width: 400, height: 300 };

describe('Function: placeCaptions', () => {
  it('puts a lone caption just above its box', () => {
    // Act
    const [spot] = placeCaptions(frame, [caption({ left: 50, top: 100, width: 120, height: 80 })]);

    // Assess
    expect(spot).toEqual({ left: 50, top: 84, width: 80, height: 16 });
  });

  it('moves a caption inside its box when the box touches the top edge', () => {
    const [spot] = placeCaptions(frame, [caption({ left: 10, top: 0, width: 200, height: 100 })]);
    expect(spot).toEqual({ left: 10, top: 0, width: 80, height: 16 });
  });

  it('keeps captions of boxes with the same corner apart (a cup on a dining table)', () => {
    // Prepare: the weaker label's box starts at the same place as the stronger one's
    const captions = [caption({ left: 100, top: 100, width: 60, height: 60 }, 70), caption({ left: 100, top: 100, width: 250, height: 150 }, 120)];

    // Act
    const [cup, table] = placeCaptions(frame, captions);

    // Assess
    expect(cup).toBeDefined();
    expect(table).toBeDefined();
    expect(overlaps(cup!, table!)).toBe(false);
  });

  it('places a crowd of overlapping boxes without any two captions overlapping, all inside the picture', () => {
    // Prepare: 12 people standing shoulder to shoulder
    const crowd = Array.from({ length: 12 }, (_, index) => caption({ left: 10 + index * 25, top: 80, width: 60, height: 180 }, 70));

    // Act
    const spots = placeCaptions(frame, crowd);

    // Assess
    const placed = spots.filter((spot): spot is Rect => spot !== undefined);
    expect(placed.length).toBeGreaterThan(6);
    for (const [index, spot] of placed.entries()) {
      expect(spot.left).toBeGreaterThanOrEqual(0);
      expect(spot.top).toBeGreaterThanOrEqual(0);
      expect(spot.left + spot.width).toBeLessThanOrEqual(frame.width);
      expect(spot.top + spot.height).toBeLessThanOrEqual(frame.height);
      for (const other of placed.slice(index + 1)) expect(overlaps(spot, other)).toBe(false);
    }
  });

  it('leaves a caption out rather than over another when no spot is free', () => {
    // Prepare: a picture just tall enough for one caption
    const tiny = { width: 100, height: 16 };
    const spots = placeCaptions(tiny, [caption({ left: 0, top: 0, width: 100, height: 16 }), caption({ left: 0, top: 0, width: 100, height: 16 })]);

    // Assess
    expect(spots[0]).toBeDefined();
    expect(spots[1]).toBeUndefined();
  });

  it('pulls a caption wider than the space right of its box back into the picture', () => {
    const [spot] = placeCaptions(frame, [caption({ left: 380, top: 100, width: 20, height: 20 }, 90)]);
    expect(spot?.left).toBe(310);
  });
});

describe('Function: overlaps', () => {
  it('does not count touching edges', () => {
    expect(overlaps({ left: 0, top: 0, width: 10, height: 10 }, { left: 10, top: 0, width: 10, height: 10 })).toBe(false);
    expect(overlaps({ left: 0, top: 0, width: 10, height: 10 }, { left: 9, top: 9, width: 10, height: 10 })).toBe(true);
  });
});

describe('Function: labelColours', () => {
  it('gives each label of a picture its own colour, and a repeated name the same one', () => {
    const colours = labelColours(['Person', 'Cup', 'Dining Table', 'Person']);
    expect(colours.size).toBe(3);
    expect(new Set(colours.values()).size).toBe(3);
  });
});
