/**
 * Search by label: autocomplete from the label catalog (Query.labels), a grid
 * of cards with their own top labels, more pages as the end of the grid
 * scrolls into view (nextToken), and the detail view walking the results.
 */
import type { GalleryApi } from './api.ts';
import { Card } from './card.ts';
import type { DetailSource } from './detail.ts';
import { byId, el } from './dom.ts';
import { explainError } from './errors.ts';
import type { GalleryImage } from './types.ts';

export class Search {
  private readonly form = byId<HTMLFormElement>('search-form');
  private readonly input = byId<HTMLInputElement>('search-input');
  private readonly minConfidence = byId<HTMLInputElement>('min-confidence');
  private readonly options = byId<HTMLDataListElement>('label-options');
  private readonly status = byId<HTMLParagraphElement>('search-status');
  private readonly results = byId<HTMLUListElement>('results');
  private readonly more = byId<HTMLButtonElement>('more');
  private readonly clear = byId<HTMLButtonElement>('search-clear');
  private cards: Card[] = [];
  private query: { label: string; minConfidence?: number } | undefined;
  private nextToken: string | null = null;
  private loading = false;
  private shown = 0;
  private suggestTimer: ReturnType<typeof setTimeout> | undefined;

  public constructor(
    private readonly api: GalleryApi,
    private readonly graphqlUrl: string,
    private readonly openDetail: (card: Card, source: DetailSource) => void,
    private readonly removed: (id: string) => void,
  ) {
    this.clear.addEventListener('click', () => {
      this.query = undefined;
      this.cards = [];
      this.results.replaceChildren();
      this.status.textContent = '';
      this.more.hidden = true;
      this.clear.hidden = true;
      this.input.value = '';
    });
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
    this.cards = [];
    this.results.replaceChildren();
    this.clear.hidden = false;
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
      const cards = page.items.map((image) => this.tile(image));
      this.cards.push(...cards);
      this.results.append(...cards.map((card) => card.root));
      this.shown += page.items.length;
      this.nextToken = page.nextToken ?? null;
      this.more.hidden = !page.nextToken;
      this.status.textContent = this.shown === 0 ? `No images labelled ${query.label}.` : `${this.shown} image${this.shown === 1 ? '' : 's'} labelled ${query.label}${page.nextToken ? ', more below' : ''}.`;
    } catch (error) {
      this.status.textContent = await explainError(error, this.graphqlUrl);
      this.more.hidden = true;
    } finally {
      this.loading = false;
    }
  }

  private tile(image: GalleryImage): Card {
    const card = new Card({ name: image.fileName ?? image.id, onOpen: (opened) => this.openDetail(opened, this.detailSource) });
    card.update(image);
    return card;
  }

  /** The detail view walks the results; a delete there takes the card out of both grids. */
  private readonly detailSource: DetailSource = {
    ordered: () => this.cards,
    removed: (id) => {
      this.cards = this.cards.filter((card) => {
        if (card.id !== id) return true;
        card.root.remove();
        return false;
      });
      this.removed(id);
    },
  };
}
