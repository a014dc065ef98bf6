/**
 * Where each bounding box's caption goes, so that no caption hides another:
 * pure geometry in pixels of the picture, no DOM, so it is unit-tested.
 *
 * Greedy, strongest label first (the caller's order): each caption tries the
 * spots a reader expects (just above its box, inside its top edge, just
 * below, inside its bottom edge; left-aligned, then right-aligned), then
 * slides down inside its box. The first spot inside the picture that
 * overlaps no caption placed so far wins. A caption with no free spot is not
 * drawn (undefined): its box and its chip still show it, and hiding it beats
 * covering another caption.
 */

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Rect extends Size {
  readonly left: number;
  readonly top: number;
}

export interface Caption {
  /** The box the caption belongs to. */
  readonly box: Rect;
  /** The caption's own measured size. */
  readonly size: Size;
}

/** Whether two rectangles share any area (touching edges do not count). */
export function overlaps(a: Rect, b: Rect): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

const fits = (rect: Rect, frame: Size) => rect.left >= 0 && rect.top >= 0 && rect.left + rect.width <= frame.width && rect.top + rect.height <= frame.height;

/** Moves a rectangle horizontally into the picture when it sticks out at a side (a box at the edge keeps its caption). */
const clampX = (rect: Rect, frame: Size): Rect => ({ ...rect, left: Math.min(Math.max(rect.left, 0), Math.max(frame.width - rect.width, 0)) });

function candidates({ box, size }: Caption, frame: Size): Rect[] {
  const { width, height } = size;
  const right = box.left + box.width - width;
  const bottom = box.top + box.height;
  const spots: Rect[] = [];
  for (const left of [box.left, right]) {
    spots.push(
      { left, top: box.top - height, width, height },
      { left, top: box.top, width, height },
      { left, top: bottom, width, height },
      { left, top: bottom - height, width, height },
    );
  }
  // Then down the inside of the box, one caption height at a time.
  for (let top = box.top + height; top + height <= bottom; top += height) spots.push({ left: box.left, top, width, height });
  return spots.map((spot) => clampX(spot, frame));
}

/**
 * Caption positions, in the captions' order; undefined for one that has no
 * free spot.
 * @example
 * placeCaptions({ width: 400, height: 300 }, [
 *   { box: { left: 10, top: 50, width: 100, height: 100 }, size: { width: 60, height: 16 } },
 * ]); // [{ left: 10, top: 34, width: 60, height: 16 }]
 */
export function placeCaptions(frame: Size, captions: readonly Caption[]): (Rect | undefined)[] {
  const placed: Rect[] = [];
  return captions.map((caption) => {
    const spot = candidates(caption, frame).find((rect) => fits(rect, frame) && !placed.some((other) => overlaps(rect, other)));
    if (spot) placed.push(spot);
    return spot;
  });
}

/** Distinct colours for a picture's labels, readable under black text, in both colour schemes. */
const palette = ['#ffd400', '#4dd0e1', '#ff8a65', '#aed581', '#ce93d8', '#90caf9', '#f48fb1', '#ffcc80', '#80cbc4', '#e6ee9c'] as const;

/**
 * One colour per label name, by the names' order (strongest first), so the
 * labels of one picture never share a colour until the palette runs out.
 */
export function labelColours(names: readonly string[]): Map<string, string> {
  const colours = new Map<string, string>();
  for (const name of names) if (!colours.has(name)) colours.set(name, palette[colours.size % palette.length]);
  return colours;
}
