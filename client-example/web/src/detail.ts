/**
 * The detail view of one image: the picture with its boxes and captions,
 * every label with its confidence, categories and parents, the moderation
 * labels, file name, size, dimensions and dates; previous and next (buttons
 * and the arrow keys) through the grid it was opened from; delete, after a
 * confirmation.
 */
import type { GalleryApi } from './api.ts';
import type { Card } from './card.ts';
import { statusText } from './card.ts';
import { byId, el, percent } from './dom.ts';
import { describeError, explainError } from './errors.ts';
import { byConfidence, coloursOf, imageFrame } from './labelled-image.ts';
import type { GalleryImage, GalleryLabel } from './types.ts';

/** The grid a detail view walks through. */
export interface DetailSource {
  /** Its cards in grid order. */
  readonly ordered: () => readonly Card[];
  /** Called once an image is deleted from the detail view. */
  readonly removed: (id: string) => void;
}

const bytes = (size: number) =>
  size < 1024 ? `${size} B` : size < 1024 * 1024 ? `${(size / 1024).toFixed(1)} KiB` : `${(size / 1024 / 1024).toFixed(1)} MiB`;

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** A label as the table shows it: moderation labels have no categories or boxes. */
type TableLabel = Pick<GalleryLabel, 'name' | 'confidence' | 'parents'> & Partial<Pick<GalleryLabel, 'categories' | 'instances'>>;

function labelTable(labels: readonly TableLabel[], caption: string, colours?: Map<string, string>): HTMLElement {
  if (labels.length === 0) return el('p', { class: 'muted', text: `${caption}: none.` });
  const rows = byConfidence(labels).map((label) => {
    const name = el('th', { scope: 'row' }, el('span', { class: 'swatch' }), label.name);
    const colour = colours?.get(label.name);
    if (colour && label.instances?.length) name.style.setProperty('--label-colour', colour);
    else name.querySelector('.swatch')?.remove();
    return el(
      'tr',
      { 'data-label': label.name },
      name,
      el('td', { text: percent(label.confidence) }),
      el('td', { text: label.categories?.join(', ') || '—' }),
      el('td', { text: label.parents.join(', ') || '—' }),
    );
  });
  return el(
    'table',
    { class: 'labels-table' },
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Label' }), el('th', { scope: 'col', text: 'Confidence' }), el('th', { scope: 'col', text: 'Categories' }), el('th', { scope: 'col', text: 'Parents' }))),
    el('tbody', {}, ...rows),
  );
}

type ImageProperties = NonNullable<GalleryImage['properties']>;

/**
 * Dominant colours (swatch, CSS name, share of pixels) and quality meters,
 * when the stack's imageProperties setting is on; nothing otherwise.
 */
function propertiesSection(properties: GalleryImage['properties']): HTMLElement[] {
  if (!properties) return [];
  const colours = properties.dominantColors.slice(0, 6).map((colour: ImageProperties['dominantColors'][number]) => {
    const swatch = el('span', { class: 'swatch' });
    swatch.style.setProperty('--label-colour', colour.hexCode);
    return el('li', { title: `${colour.hexCode} · ${colour.simplifiedColor}` }, swatch, `${colour.cssColor} ${percent(colour.pixelPercent)} (${colour.simplifiedColor})`);
  });
  const meter = (name: string, value: number) => [
    el('dt', { text: name }),
    el('dd', {}, el('meter', { min: '0', max: '100', value: String(value), title: percent(value) }), ` ${Math.round(value)}`),
  ];
  const { brightness, sharpness, contrast } = properties.quality;
  return [
    el(
      'section',
      { class: 'image-properties', 'aria-label': 'Image properties' },
      el('h3', { text: 'Colours and quality' }),
      el('ul', { class: 'dominant-colours' }, ...colours),
      el('dl', { class: 'facts' }, ...meter('Brightness', brightness), ...meter('Sharpness', sharpness), ...meter('Contrast', contrast)),
    ),
  ];
}

export class DetailView {
  private readonly dialog = byId<HTMLDialogElement>('detail');
  private readonly title = byId<HTMLHeadingElement>('detail-title');
  private readonly body = byId<HTMLDivElement>('detail-body');
  private readonly previous = byId<HTMLButtonElement>('detail-previous');
  private readonly next = byId<HTMLButtonElement>('detail-next');
  private readonly deleteButton = byId<HTMLButtonElement>('detail-delete');
  private readonly confirmBox = byId<HTMLDivElement>('detail-confirm');
  private source: DetailSource | undefined;
  private card: Card | undefined;

  public constructor(
    private readonly api: GalleryApi,
    private readonly graphqlUrl: string,
  ) {
    this.previous.addEventListener('click', () => this.step(-1));
    this.next.addEventListener('click', () => this.step(1));
    this.deleteButton.addEventListener('click', () => this.confirmDelete());
    this.dialog.addEventListener('keydown', (event) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLButtonElement) return;
      if (event.key === 'ArrowLeft') this.step(-1);
      if (event.key === 'ArrowRight') this.step(1);
    });
  }

  public get openId(): string | undefined {
    return this.dialog.open ? this.card?.id : undefined;
  }

  public open(card: Card, source: DetailSource): void {
    if (!card.id) return;
    this.source = source;
    this.show(card);
    if (!this.dialog.open) this.dialog.showModal();
  }

  /** Shows the card's image again when it changed (an event) while open. */
  public refresh(id: string): void {
    if (this.openId === id && this.card) this.show(this.card);
  }

  private step(by: number): void {
    const cards = this.source?.ordered().filter((card) => card.id) ?? [];
    const index = cards.findIndex((card) => card === this.card);
    const target = cards[index + by];
    if (index >= 0 && target) this.show(target);
  }

  private show(card: Card): void {
    this.card = card;
    const image = card.image;
    this.title.textContent = card.name;
    this.confirmBox.replaceChildren();
    this.deleteButton.hidden = false;
    const cards = this.source?.ordered().filter((other) => other.id) ?? [];
    const index = cards.indexOf(card);
    this.previous.disabled = index <= 0;
    this.next.disabled = index < 0 || index >= cards.length - 1;
    this.dialog.dataset.imageId = card.id;
    this.body.replaceChildren(...(image ? this.describe(card, image) : [el('p', { text: 'Not uploaded yet.' })]));
  }

  private describe(card: Card, image: GalleryImage): HTMLElement[] {
    const src = image.url ?? card.preview ?? image.thumbnailUrl;
    const dimensions = el('dd', { class: 'dimensions', text: '…' });
    const picture = src
      ? imageFrame({ src, alt: card.name, image, captions: true })
      : el('div', { class: 'frame placeholder' }, el('span', { text: image.status === 'FAILED' ? 'Not kept: labelling failed' : 'Labelling…' }));
    const img = picture.querySelector('img');
    if (img) {
      const measure = () => (dimensions.textContent = img.naturalWidth ? `${img.naturalWidth} × ${img.naturalHeight} px` : '—');
      if (img.complete) measure();
      else img.addEventListener('load', measure);
      img.addEventListener('error', () => (dimensions.textContent = '—'));
    } else dimensions.textContent = '—';
    const facts = el(
      'dl',
      { class: 'facts' },
      el('dt', { text: 'Status' }), el('dd', { class: 'detail-status', text: statusText(image) }),
      el('dt', { text: 'File name' }), el('dd', { text: image.fileName ?? '—' }),
      el('dt', { text: 'Size' }), el('dd', { text: `${bytes(image.sizeBytes)} (${image.sizeBytes.toLocaleString()} bytes)` }),
      el('dt', { text: 'Dimensions' }), dimensions,
      el('dt', { text: 'Type' }), el('dd', { text: image.contentType }),
      el('dt', { text: 'Uploaded' }), el('dd', { text: when(image.createdAt) }),
      el('dt', { text: 'Labelled' }), el('dd', { text: when(image.labeledAt) }),
      el('dt', { text: 'ID' }), el('dd', { class: 'mono', text: image.id }),
    );
    return [
      el('div', { class: 'detail-picture' }, picture),
      el('div', { class: 'detail-info' }, labelTable(image.labels, 'Labels', coloursOf(image)), labelTable(image.moderationLabels, 'Moderation labels'), ...propertiesSection(image.properties), facts),
    ];
  }

  private confirmDelete(): void {
    const card = this.card;
    if (!card?.id) return;
    const yes = el('button', { class: 'button danger', type: 'button', text: 'Delete' });
    const no = el('button', { class: 'button secondary', type: 'button', text: 'Cancel' });
    no.addEventListener('click', () => {
      this.confirmBox.replaceChildren();
      this.deleteButton.hidden = false;
      this.deleteButton.focus();
    });
    yes.addEventListener('click', () => void this.delete(card));
    this.deleteButton.hidden = true;
    this.confirmBox.replaceChildren(el('span', { text: `Delete ${card.name} for good?` }), yes, no);
    yes.focus();
  }

  private async delete(card: Card): Promise<void> {
    const id = card.id;
    if (!id) return;
    this.confirmBox.replaceChildren(el('span', { text: 'Deleting…' }));
    try {
      await this.api.deleteImage(id);
    } catch (error) {
      if (!/NotFound/.test(describeError(error))) {
        this.confirmBox.replaceChildren(el('span', { class: 'error', text: `Not deleted: ${await explainError(error, this.graphqlUrl)}` }));
        this.deleteButton.hidden = false;
        return;
      }
    }
    // Move on to the next image (or the previous one at the end), as a photo viewer does.
    const cards = this.source?.ordered().filter((other) => other.id && other !== card) ?? [];
    const before = this.source?.ordered().filter((other) => other.id) ?? [];
    const index = before.indexOf(card);
    this.source?.removed(id);
    const following = cards[Math.min(index, cards.length - 1)];
    if (following) this.show(following);
    else this.dialog.close();
  }
}
