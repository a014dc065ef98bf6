/**
 * Dropped or chosen files: each gets a card with a progress bar while it
 * uploads, then waits for its onImageLabeled event and shows the labels and
 * boxes on the photo, or the reason it FAILED. A few upload at a time.
 */
import { sniffContentType } from '../../lib/content-type.ts';
import { describeError, type GalleryApi } from './api.ts';
import { el } from './dom.ts';
import { imageFrame, labelChips } from './labelled-image.ts';
import type { GalleryImage } from './types.ts';
import { putWithProgress } from './upload-request.ts';

const concurrentUploads = 3;

interface Card {
  readonly file: File;
  readonly root: HTMLLIElement;
  readonly status: HTMLParagraphElement;
  readonly progress: HTMLProgressElement;
  readonly preview: string;
}

export class Uploads {
  private readonly queue: Card[] = [];
  private active = 0;
  /** Cards waiting for their event, by image id. */
  private readonly waiting = new Map<string, Card>();
  /** Events that came before their card knew its id (cannot happen after the ack, but cheap to handle). */
  private readonly early = new Map<string, GalleryImage>();

  /** Uploads wait for the onImageLabeled subscription, so none misses its event. */
  private ready: Promise<void> = Promise.resolve();

  public constructor(
    private readonly api: GalleryApi,
    private readonly list: HTMLUListElement,
  ) {}

  public startAfter(ready: Promise<void>): void {
    this.ready = ready;
  }

  public add(files: Iterable<File>): void {
    for (const file of files) {
      const card = this.card(file);
      this.list.prepend(card.root);
      this.queue.push(card);
    }
    this.pump();
  }

  /** An onImageLabeled event: completes the matching card, if it is ours. */
  public labeled(image: GalleryImage): void {
    const card = this.waiting.get(image.id);
    if (!card) {
      this.early.set(image.id, image);
      return;
    }
    this.waiting.delete(image.id);
    this.show(card, image);
  }

  private card(file: File): Card {
    const preview = URL.createObjectURL(file);
    const status = el('p', { class: 'status', text: 'Queued' });
    const progress = el('progress', { max: '1', value: '0', 'aria-label': `Upload progress of ${file.name}` });
    const root = el(
      'li',
      { class: 'upload-card', 'data-status': 'QUEUED' },
      imageFrame({ src: preview, alt: file.name }),
      el('div', { class: 'card-body' }, el('p', { class: 'file-name', text: file.name }), progress, status),
    );
    return { file, root, status, progress, preview };
  }

  private pump(): void {
    while (this.active < concurrentUploads && this.queue.length > 0) {
      const card = this.queue.shift()!;
      this.active += 1;
      void this.upload(card).finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  private setStatus(card: Card, status: string, text: string): void {
    card.root.dataset.status = status;
    card.status.textContent = text;
  }

  private async upload(card: Card): Promise<void> {
    const head = new Uint8Array(await card.file.slice(0, 16).arrayBuffer());
    const contentType = sniffContentType(head);
    if (!contentType) {
      this.setStatus(card, 'REJECTED', 'Not a JPEG, PNG or WebP image');
      card.progress.remove();
      return;
    }
    try {
      this.setStatus(card, 'UPLOADING', 'Uploading…');
      await this.ready;
      const ticket = await this.api.requestUpload({ contentType, sizeBytes: card.file.size, fileName: card.file.name });
      card.root.dataset.imageId = ticket.imageId;
      this.waiting.set(ticket.imageId, card);
      await putWithProgress(ticket, card.file, (fraction) => (card.progress.value = fraction));
      card.progress.remove();
      this.setStatus(card, 'PENDING', 'PENDING — labelling…');
      const early = this.early.get(ticket.imageId);
      if (early) this.labeled(early);
    } catch (error) {
      if (card.root.dataset.imageId) this.waiting.delete(card.root.dataset.imageId);
      card.progress.remove();
      this.setStatus(card, 'REJECTED', describeError(error));
    }
  }

  private show(card: Card, image: GalleryImage): void {
    card.progress.remove();
    const frame = card.root.querySelector('.frame');
    frame?.replaceWith(imageFrame({ src: card.preview, alt: card.file.name, image }));
    if (image.status === 'FAILED') {
      this.setStatus(card, 'FAILED', `FAILED: ${image.error ?? 'no reason given'}`);
      return;
    }
    const count = image.labels.length;
    this.setStatus(card, image.status, `${image.status} · ${count} label${count === 1 ? '' : 's'}`);
    card.status.after(labelChips(image));
  }
}
