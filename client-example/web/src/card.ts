/**
 * One image in a grid (the library or search results): its picture, file
 * name, status and its own top labels. A card starts as an upload (a local
 * preview, a progress bar) or as an image the API returned, and follows the
 * image as it changes (PENDING → LABELED or FAILED).
 */
import { el } from './dom.ts';
import { imageFrame, isFlagged, labelChips } from './labelled-image.ts';
import type { GalleryImage } from './types.ts';

/** Statuses only the browser knows: before the API has the image, or when it never will. */
export type UploadStatus = 'QUEUED' | 'UPLOADING' | 'REJECTED' | 'DUPLICATE';
export type CardStatus = UploadStatus | GalleryImage['status'];

/** Chips a card shows; the detail view shows them all. */
const topLabels = 3;

export interface CardOptions {
  readonly name: string;
  /** A blob: URL of the dropped file, shown until the API serves a thumbnail. */
  readonly preview?: string;
  readonly onOpen: (card: Card) => void;
  readonly onSelect?: (card: Card, selected: boolean) => void;
}

/** The status line of an image the API returned. */
export function statusText(image: Pick<GalleryImage, 'status' | 'labels' | 'error'>): string {
  if (image.status === 'FAILED') return `FAILED: ${image.error ?? 'no reason given'}`;
  if (image.status === 'PENDING') return 'PENDING — labelling…';
  const count = image.labels.length;
  return count === 0 ? 'LABELED · nothing recognised' : `LABELED · ${count} label${count === 1 ? '' : 's'}`;
}

export class Card {
  public readonly root: HTMLLIElement;
  public image: GalleryImage | undefined;
  private readonly media = el('div', { class: 'card-media' });
  private readonly status = el('p', { class: 'status', role: 'status' });
  private readonly body: HTMLDivElement;
  private readonly note = el('div', { class: 'card-note' });
  private progress: HTMLProgressElement | undefined;
  private chips: HTMLUListElement | undefined;
  private readonly select: HTMLInputElement;
  private readonly open: HTMLButtonElement;

  public constructor(private readonly options: CardOptions) {
    this.select = el('input', { class: 'select', type: 'checkbox', 'aria-label': `Select ${options.name}` });
    this.select.addEventListener('change', () => options.onSelect?.(this, this.select.checked));
    this.open = el('button', { class: 'card-open', type: 'button', 'aria-label': `Open ${options.name}` });
    this.open.addEventListener('click', () => options.onOpen(this));
    this.body = el('div', { class: 'card-body' }, el('p', { class: 'file-name', text: options.name }), this.status, this.note);
    this.root = el('li', { class: 'card' }, this.media, this.open, this.body);
    this.root.addEventListener('revealed', () => this.root.classList.remove('blurred-card'));
    this.showPicture();
  }

  public get id(): string | undefined {
    return this.root.dataset.imageId;
  }

  public get name(): string {
    return this.image?.fileName ?? this.options.name;
  }

  public get preview(): string | undefined {
    return this.options.preview;
  }

  public get statusValue(): CardStatus | undefined {
    return this.root.dataset.status as CardStatus | undefined;
  }

  public get selected(): boolean {
    return this.select.checked;
  }

  public set selected(value: boolean) {
    this.select.checked = value;
  }

  /** The API's id for this card's image: from now on it can be opened, selected and updated. */
  public setId(id: string): void {
    this.root.dataset.imageId = id;
    if (!this.select.isConnected) this.root.prepend(this.select);
  }

  public setUploadState(status: UploadStatus | 'PENDING', text: string): void {
    this.root.dataset.status = status;
    this.status.textContent = text;
    if (status !== 'UPLOADING') this.removeProgress();
  }

  public setProgress(fraction: number): void {
    if (!this.progress) {
      this.progress = el('progress', { max: '1', value: '0', 'aria-label': `Upload progress of ${this.options.name}` });
      this.status.before(this.progress);
    }
    this.progress.value = fraction;
  }

  /** Extra lines under the status: a duplicate's link, a retry button. */
  public setNote(...children: Node[]): void {
    this.note.replaceChildren(...children);
  }

  /** Shows the image as the API has it now. */
  public update(image: GalleryImage): void {
    const previous = this.image;
    // A query's answer carries URLs an event does not: keep them.
    this.image = { ...image, url: image.url ?? previous?.url, thumbnailUrl: image.thumbnailUrl ?? previous?.thumbnailUrl };
    this.setId(image.id);
    this.root.dataset.status = image.status;
    this.root.dataset.createdAt = image.createdAt;
    this.removeProgress();
    this.status.textContent = statusText(image);
    this.root.classList.toggle('empty-labels', image.status === 'LABELED' && image.labels.length === 0);
    this.root.classList.toggle('flagged', isFlagged(image));
    this.setNote();
    const chips = labelChips(image, topLabels);
    if (this.chips) this.chips.replaceWith(chips);
    else this.status.after(chips);
    this.chips = chips;
    this.showPicture();
  }

  private removeProgress(): void {
    this.progress?.remove();
    this.progress = undefined;
  }

  /** The thumbnail once the API has one, else the local preview, else a placeholder: never a broken-image icon. */
  private showPicture(): void {
    const image = this.image;
    const src = image?.thumbnailUrl ?? this.options.preview ?? image?.url ?? undefined;
    if (!src) {
      const why = image?.status === 'FAILED' ? 'Not kept' : image?.status === 'PENDING' ? 'Labelling…' : 'No picture';
      this.media.replaceChildren(el('div', { class: 'frame placeholder' }, el('span', { text: why })));
      return;
    }
    const frame = imageFrame({ src, alt: this.name, lazy: true, ...(image ? { image } : {}) });
    const img = frame.querySelector('img');
    img?.addEventListener('error', () => {
      // A thumbnail that cannot load (expired URL, an image labelled before thumbnails existed): the original, then a placeholder.
      if (image?.url && img.src !== image.url) img.src = image.url;
      else frame.replaceWith(el('div', { class: 'frame placeholder' }, el('span', { text: 'Picture unavailable' })));
    });
    this.media.replaceChildren(frame);
  }
}
