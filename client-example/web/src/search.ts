/**
 * Search by label: autocomplete from the label catalog (Query.labels), a grid
 * of thumbnails, more pages as the end of the grid scrolls into view
 * (nextToken), and a detail view with the full image, boxes and chips.
 */
import { describeError, type GalleryApi } from './api.ts';
import { byId, el } from './dom.ts';
import { imageFrame, isFlagged, labelChips } from './labelled-image.ts';
import type { GalleryImage } from './types.ts';

export class Search {
  private readonly form = byId<HTMLFormElement>('search-form');
  private readonly input = byId<HTMLInputElement>('search-input');
  private readonly minConfidence = byId<HTMLInputElement>('min-confidence');
  private readonly options = byId<HTMLDataListElement>('label-options');
  private readonly status = byId<HTMLParagraphElement>('search-status');
  private readonly results = byId<HTMLUListElement>('results');
  private readonly more = byId<HTMLButtonElement>('more');
  private readonly detail = byId<HTMLDialogElement>('detail');
  private query: { label: string; minConfidence?: number } | undefined;
  private nextToken: string | null = null;
  private loading = false;
  private shown = 0;
  private suggestTimer: ReturnType<typeof setTimeout> | undefined;

  public constructor(private readonly api: GalleryApi) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.start();
    });
    this.input.addEventListener('input', () => this.suggestSoon());
    this.more.addEventListener('click', () => void this.loadMore());
    // Infinite scroll: the "Load more" button doubles as the sentinel, so keyboards get it too.
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void this.loadMore();
    }).observe(this.more);
  }

  private suggestSoon(): void {
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(() => void this.suggest(), 150);
  }

  private async suggest(): Promise<void> {
    const prefix = this.input.value.trim();
    const suggestions = await this.api.labelSuggestions(prefix);
    if (this.input.value.trim() !== prefix) return; // typed on meanwhile
    this.options.replaceChildren(
      ...suggestions.map((suggestion) => el('option', { value: suggestion.name, label: `${suggestion.name} (${suggestion.imageCount})` })),
    );
  }

  private async start(): Promise<void> {
    const label = this.input.value.trim();
    if (!label) return;
    const min = this.minConfidence.value.trim();
    this.query = { label, ...(min === '' ? {} : { minConfidence: Number(min) }) };
    this.nextToken = null;
    this.shown = 0;
    this.results.replaceChildren();
    await this.loadPage();
  }

  private async loadMore(): Promise<void> {
    if (this.query && this.nextToken && !this.loading) await this.loadPage();
  }

  private async loadPage(): Promise<void> {
    if (!this.query) return;
    const query = this.query;
    this.loading = true;
    this.status.textContent = `Searching ${query.label}…`;
    try {
      const page = await this.api.search({ ...query, nextToken: this.nextToken });
      if (query !== this.query) return; // a newer search started
      this.results.append(...page.items.map((image) => this.tile(image)));
      this.shown += page.items.length;
      this.nextToken = page.nextToken;
      this.more.hidden = !page.nextToken;
      this.status.textContent = this.shown === 0 ? `No images labelled ${query.label}.` : `${this.shown} image${this.shown === 1 ? '' : 's'} labelled ${query.label}${page.nextToken ? ', more below' : ''}.`;
    } catch (error) {
      this.status.textContent = describeError(error);
      this.more.hidden = true;
    } finally {
      this.loading = false;
    }
  }

  private tile(image: GalleryImage): HTMLLIElement {
    const names = image.labels.slice(0, 3).map((label) => label.name).join(', ');
    const name = image.fileName ?? image.id;
    const src = image.thumbnailUrl ?? image.url ?? '';
    const frame = imageFrame({ src, alt: `${name}: ${names}`, lazy: true, image: { labels: [], moderationLabels: image.moderationLabels } });
    const open = el('button', { class: 'tile-open', type: 'button', 'aria-label': `Open ${name}` });
    open.addEventListener('click', () => {
      if (frame.classList.contains('blurred')) return; // the reveal button handles the first click
      this.open(image);
    });
    const img = frame.querySelector('img');
    // A missing thumbnail (e.g. labelled before thumbnails existed) falls back to the original.
    img?.addEventListener('error', () => {
      if (image.url && img.src !== image.url) img.src = image.url;
    }, { once: true });
    return el('li', { class: `tile${isFlagged(image) ? ' flagged' : ''}`, 'data-image-id': image.id }, frame, open, el('p', { class: 'tile-caption', text: names }));
  }

  private open(image: GalleryImage): void {
    byId('detail-title').textContent = image.fileName ?? image.id;
    const body = byId('detail-body');
    body.replaceChildren(
      imageFrame({ src: image.url ?? image.thumbnailUrl ?? '', alt: image.fileName ?? image.id, image }),
      labelChips(image),
    );
    this.detail.showModal();
  }
}
