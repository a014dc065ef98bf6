/**
 * An image with its Rekognition results drawn on it: bounding boxes over the
 * picture and one chip per label. Images with moderation labels stay blurred
 * until the viewer chooses to reveal them.
 */
import { el, percent } from './dom.ts';
import type { GalleryImage } from './types.ts';

/** Labels with boxes, strongest first; Rekognition gives boxes as 0–1 ratios of the image. */
export function boundingBoxes(image: Pick<GalleryImage, 'labels'>): HTMLElement[] {
  return image.labels.flatMap((label) =>
    label.instances.map((instance) => {
      const { left, top, width, height } = instance.boundingBox;
      const box = el('span', { class: 'box', 'data-label': label.name });
      // Through CSSOM, not a style attribute: the gallery's CSP (style-src 'self') refuses inline styles.
      Object.assign(box.style, { left: `${left * 100}%`, top: `${top * 100}%`, width: `${width * 100}%`, height: `${height * 100}%` });
      box.append(el('span', { class: 'box-label', text: `${label.name} ${percent(instance.confidence)}` }));
      return box;
    }),
  );
}

export function labelChips(image: Pick<GalleryImage, 'labels'>): HTMLUListElement {
  const list = el('ul', { class: 'chips', 'aria-label': 'Labels' });
  for (const label of [...image.labels].sort((a, b) => b.confidence - a.confidence)) {
    const title = label.parents.length ? `${label.name} (${label.parents.join(', ')})` : label.name;
    list.append(el('li', { class: 'chip', title }, el('span', { text: label.name }), ' ', el('span', { class: 'chip-score', text: percent(label.confidence) })));
  }
  return list;
}

export const isFlagged = (image: Pick<GalleryImage, 'moderationLabels'>) => image.moderationLabels.length > 0;

/**
 * The picture with its boxes. Flagged images get a reveal button over the
 * blur; `onRevealed` runs once the viewer revealed it.
 */
export function imageFrame(args: {
  readonly src: string;
  readonly alt: string;
  readonly image?: Pick<GalleryImage, 'labels' | 'moderationLabels'>;
  readonly lazy?: boolean;
}): HTMLElement {
  const img = el('img', { src: args.src, alt: args.alt, decoding: 'async', ...(args.lazy ? { loading: 'lazy' } : {}) });
  const frame = el('div', { class: 'frame' }, img, ...(args.image ? boundingBoxes(args.image) : []));
  if (args.image && isFlagged(args.image)) frame.append(revealButton(frame, args.image));
  return frame;
}

function revealButton(frame: HTMLElement, image: Pick<GalleryImage, 'moderationLabels'>): HTMLButtonElement {
  frame.classList.add('blurred');
  const reasons = image.moderationLabels.map((label) => label.name).join(', ');
  const button = el('button', { class: 'reveal', type: 'button', text: `Flagged: ${reasons}. Show image` });
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    frame.classList.remove('blurred');
    button.remove();
  });
  return button;
}
