/**
 * An image with its Rekognition results drawn on it: a box per label
 * instance, in a colour per label, captions placed so none hides another
 * (box-layout.ts), and chips in the same colours. Images with moderation
 * labels stay blurred until the viewer reveals them (remembered, reveals.ts).
 */
import { labelColours, placeCaptions, type Rect } from './box-layout.ts';
import { el, percent } from './dom.ts';
import { isRevealed, remember } from './reveals.ts';
import { strongestFirst } from '../../lib/label-order.ts';
import type { GalleryImage } from './types.ts';

/**
 * Labels strongest first: the order of chips, colours and caption placement;
 * the specific label before its parents on a tie, so a card's top chips say
 * Cat (client-example/lib/label-order.ts, the CLI's order too).
 */
export const byConfidence = strongestFirst;

export const coloursOf = (image: Pick<GalleryImage, 'labels'>) => labelColours(byConfidence(image.labels).map((label) => label.name));

/** Through CSSOM, not a style attribute: the gallery's CSP (style-src 'self') refuses inline styles. */
const setColour = (element: HTMLElement, colour: string | undefined) => {
  if (colour) element.style.setProperty('--label-colour', colour);
};

/** A box per instance, strongest label first; Rekognition gives boxes as 0–1 ratios of the image. */
export function boundingBoxes(image: Pick<GalleryImage, 'labels'>, options: { readonly captions: boolean }): HTMLElement[] {
  const colours = coloursOf(image);
  return byConfidence(image.labels).flatMap((label) =>
    label.instances.map((instance) => {
      const { left, top, width, height } = instance.boundingBox;
      const box = el('span', { class: 'box', 'data-label': label.name });
      Object.assign(box.style, { left: `${left * 100}%`, top: `${top * 100}%`, width: `${width * 100}%`, height: `${height * 100}%` });
      setColour(box, colours.get(label.name));
      if (options.captions) {
        const caption = el('span', { class: 'box-label', 'data-label': label.name, text: `${label.name} ${percent(instance.confidence)}` });
        setColour(caption, colours.get(label.name));
        box.append(caption);
      }
      return box;
    }),
  );
}

/**
 * Places the captions of a frame's boxes (box-layout.ts) in pixels of the
 * picture as drawn now; runs again whenever the frame changes size.
 */
function layoutCaptions(frame: HTMLElement): void {
  const frameRect = frame.getBoundingClientRect();
  if (frameRect.width === 0 || frameRect.height === 0) return;
  const boxes = Array.from(frame.querySelectorAll<HTMLElement>('.box'));
  const captions = boxes.map((box) => {
    const caption = box.querySelector<HTMLElement>('.box-label');
    const rect = box.getBoundingClientRect();
    // Inside the box a caption is positioned from the box's padding edge: inside its border.
    const origin = { left: rect.left - frameRect.left + box.clientLeft, top: rect.top - frameRect.top + box.clientTop };
    return { caption, origin, box: { left: rect.left - frameRect.left, top: rect.top - frameRect.top, width: rect.width, height: rect.height } };
  });
  const placed = placeCaptions(
    { width: frameRect.width, height: frameRect.height },
    captions.map(({ caption, box }) => ({ box, size: { width: caption?.offsetWidth ?? 0, height: caption?.offsetHeight ?? 0 } })),
  );
  captions.forEach(({ caption, origin }, index) => {
    if (!caption) return;
    const spot: Rect | undefined = placed[index];
    caption.hidden = spot === undefined;
    // Captions live inside their box (for the colour and the test's data-label), so positions are relative to it.
    if (spot) Object.assign(caption.style, { left: `${spot.left - origin.left}px`, top: `${spot.top - origin.top}px` });
  });
}

/** Chips of the labels, strongest first, each with its box colour; `limit` keeps the top few. */
export function labelChips(image: Pick<GalleryImage, 'labels'>, limit?: number): HTMLUListElement {
  const colours = coloursOf(image);
  const list = el('ul', { class: 'chips', 'aria-label': 'Labels' });
  for (const label of byConfidence(image.labels).slice(0, limit)) {
    const title = label.parents.length ? `${label.name} (${label.parents.join(', ')})` : label.name;
    const chip = el('li', { class: 'chip', title }, el('span', { text: label.name }), ' ', el('span', { class: 'chip-score', text: percent(label.confidence) }));
    if (label.instances.length > 0) {
      chip.classList.add('boxed');
      setColour(chip, colours.get(label.name));
    }
    list.append(chip);
  }
  return list;
}

export const isFlagged = (image: Pick<GalleryImage, 'moderationLabels'>) => image.moderationLabels.length > 0;

/**
 * The picture with its boxes. Flagged images get a reveal button over the
 * blur unless this image was revealed before (by its id).
 */
export function imageFrame(args: {
  readonly src: string;
  readonly alt: string;
  readonly image?: Pick<GalleryImage, 'id' | 'labels' | 'moderationLabels'>;
  readonly captions?: boolean;
  readonly lazy?: boolean;
}): HTMLElement {
  const img = el('img', { src: args.src, alt: args.alt, decoding: 'async', ...(args.lazy ? { loading: 'lazy' } : {}) });
  const boxes = args.image ? boundingBoxes(args.image, { captions: args.captions ?? false }) : [];
  const frame = el('div', { class: 'frame' }, img, ...boxes);
  if (args.captions && boxes.length > 0) {
    const layout = () => layoutCaptions(frame);
    new ResizeObserver(layout).observe(frame);
    img.addEventListener('load', layout);
  }
  if (args.image && isFlagged(args.image) && !isRevealed(args.image.id)) frame.append(revealButton(frame, args.image));
  return frame;
}

function revealButton(frame: HTMLElement, image: Pick<GalleryImage, 'id' | 'moderationLabels'>): HTMLButtonElement {
  frame.classList.add('blurred');
  const reasons = image.moderationLabels.map((label) => label.name).join(', ');
  const button = el('button', { class: 'reveal', type: 'button', text: `Flagged: ${reasons}. Show image` });
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    remember(image.id);
    frame.classList.remove('blurred');
    frame.dispatchEvent(new CustomEvent('revealed', { bubbles: true }));
    button.remove();
  });
  return button;
}
