/**
 * Dropped or chosen files: each gets a card at the top of the library with a
 * progress bar while it uploads, then follows its image (events and
 * re-reads, library.ts). Before uploading, a file is checked: bytes that are
 * no JPEG, PNG or WebP are refused with the reason, and the same bytes as an
 * image you already have link to it instead of adding a copy. A few upload
 * at a time.
 */
import { sniffContentType } from '../../lib/content-type.ts';
import type { GalleryApi } from './api.ts';
import { Card } from './card.ts';
import { el } from './dom.ts';
import type { DuplicateFinder } from './duplicates.ts';
import { explainError } from './errors.ts';
import type { Library } from './library.ts';
import type { UploadTicket } from './types.ts';
import { putWithProgress } from './upload-request.ts';

const concurrentUploads = 3;

interface Upload {
  readonly file: File;
  readonly card: Card;
  /** Upload even if the same bytes are in the library (the user said so). */
  readonly allowCopy: boolean;
}

/** What a file that is no image looks like, for the message. */
function describeBytes(head: Uint8Array): string {
  if (head.length === 0) return 'it is empty';
  const text = head.every((byte) => byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f) || byte >= 0x80);
  return text ? 'it looks like text' : 'its bytes are of another format';
}

export class Uploads {
  private readonly queue: Upload[] = [];
  private active = 0;

  public constructor(
    private readonly api: GalleryApi,
    private readonly library: Library,
    private readonly duplicates: DuplicateFinder,
    private readonly graphqlUrl: string,
    private readonly openDetail: (card: Card) => void,
  ) {}

  public add(files: Iterable<File>): void {
    for (const file of files) {
      const card = new Card({
        name: file.name,
        preview: URL.createObjectURL(file),
        onOpen: (opened) => this.openDetail(opened),
        onSelect: (selected, on) => this.library.select(selected, on),
      });
      card.setUploadState('QUEUED', 'Queued');
      this.library.addUpload(card);
      this.enqueue({ file, card, allowCopy: false });
    }
  }

  private enqueue(upload: Upload): void {
    this.queue.push(upload);
    this.pump();
  }

  private pump(): void {
    while (this.active < concurrentUploads && this.queue.length > 0) {
      const upload = this.queue.shift()!;
      this.active += 1;
      void this.upload(upload).finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  private async upload({ file, card, allowCopy }: Upload): Promise<void> {
    const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
    const contentType = sniffContentType(head);
    if (!contentType) {
      // No preview: the browser would draw a broken-image icon for these bytes.
      card.root.querySelector('.card-media')?.replaceChildren(el('div', { class: 'frame placeholder' }, el('span', { text: 'Not an image' })));
      card.setUploadState('REJECTED', `Not uploaded: ${file.name} is not a JPEG, PNG or WebP image (${describeBytes(head)}).`);
      return;
    }
    card.setUploadState('UPLOADING', 'Checking…');
    const hash = await this.duplicates.hashOf(file);
    if (!allowCopy) {
      const original = await this.duplicates.find(hash, file.size, this.library.images);
      if (original) return this.showDuplicate(file, card, original.id, original.fileName ?? original.id);
    }
    card.setUploadState('UPLOADING', 'Uploading…');
    card.setProgress(0);
    let ticket: UploadTicket;
    try {
      ticket = await this.api.requestUpload({ contentType, sizeBytes: file.size, fileName: file.name });
    } catch (error) {
      return this.showFailure(card, file, await explainError(error, this.graphqlUrl));
    }
    this.library.register(ticket.imageId, card);
    this.duplicates.remember(ticket.imageId, hash);
    try {
      await putWithProgress(ticket, file, (fraction) => card.setProgress(fraction));
    } catch (error) {
      return this.showFailure(card, file, await explainError(error, ticket.uploadUrl, 'S3'));
    }
    // The event may have come first (a fast labeler): only a card still uploading waits.
    if (card.statusValue === 'UPLOADING') card.setUploadState('PENDING', 'PENDING — labelling…');
  }

  private showFailure(card: Card, file: File, message: string): void {
    card.setUploadState('REJECTED', `Not uploaded: ${message}`);
    const retry = el('button', { class: 'button secondary', type: 'button', text: 'Retry' });
    retry.addEventListener('click', () => {
      card.setNote();
      card.setUploadState('QUEUED', 'Queued');
      this.enqueue({ file, card, allowCopy: true });
    });
    card.setNote(retry);
  }

  private showDuplicate(file: File, card: Card, originalId: string, originalName: string): void {
    card.root.dataset.duplicateOf = originalId;
    card.setUploadState('DUPLICATE', 'Already in your library: not uploaded again.');
    const link = el('a', { class: 'duplicate-link', href: `#image-${originalId}`, text: `Same bytes as ${originalName}` });
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const original = this.library.card(originalId);
      if (original) this.openDetail(original);
    });
    const copy = el('button', { class: 'button secondary', type: 'button', text: 'Upload a copy anyway' });
    copy.addEventListener('click', () => {
      delete card.root.dataset.duplicateOf;
      card.setNote();
      card.setUploadState('QUEUED', 'Queued');
      this.enqueue({ file, card, allowCopy: true });
    });
    card.setNote(el('p', {}, link), copy);
  }
}
