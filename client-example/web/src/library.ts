/**
 * Your library: every image of yours, newest first, read page by page as the
 * end of the grid scrolls into view (Query.images), with uploads joining at
 * the top. It never loses an event for good: after every (re)connection of
 * the live subscription it re-reads each card still PENDING (`image(id)`),
 * since events pushed while the socket was down are not replayed:
 *
 *   socket down ──── upload ── labelled, pushed (nobody listening) ── socket up, ack
 *                                                                       └─ image(id) → LABELED
 */
import type { GalleryApi } from './api.ts';
import { describeError, explainError } from './errors.ts';
import { Card } from './card.ts';
import { byId, el } from './dom.ts';
import type { GalleryImage } from './types.ts';

export class Library {
  private readonly grid = byId<HTMLUListElement>('library');
  private readonly status = byId<HTMLParagraphElement>('library-status');
  private readonly more = byId<HTMLButtonElement>('library-more');
  private readonly toolbar = byId<HTMLDivElement>('selection-bar');
  private readonly selectionCount = byId<HTMLSpanElement>('selection-count');
  private readonly deleteSelected = byId<HTMLButtonElement>('delete-selected');
  private readonly clearSelection = byId<HTMLButtonElement>('clear-selection');
  private readonly confirmBox = byId<HTMLDivElement>('selection-confirm');
  private readonly cards = new Map<string, Card>();
  private readonly selected = new Set<Card>();
  /** null: the first page is not read yet; undefined: no more pages. */
  private nextToken: string | null | undefined = null;
  private loading = false;
  private refreshing: Promise<void> | undefined;

  public constructor(
    private readonly api: GalleryApi,
    private readonly graphqlUrl: string,
    private readonly openDetail: (card: Card) => void,
  ) {
    this.more.addEventListener('click', () => void this.loadMore());
    // Infinite scroll: the "Load more" button doubles as the sentinel, so keyboards get it too.
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void this.loadMore();
    }, { rootMargin: '400px' }).observe(this.more);
    this.deleteSelected.addEventListener('click', () => this.confirmDeleteSelected());
    this.clearSelection.addEventListener('click', () => {
      for (const card of this.selected) card.selected = false;
      this.selected.clear();
      this.showSelection();
    });
  }

  /** The cards in grid order (newest first), for the detail view's previous and next. */
  public get ordered(): Card[] {
    return Array.from(this.grid.children, (item) => this.cards.get((item as HTMLElement).dataset.imageId ?? '')).filter(
      (card): card is Card => card !== undefined,
    );
  }

  public card(id: string): Card | undefined {
    return this.cards.get(id);
  }

  /** Every image loaded so far, for the duplicate check. */
  public get images(): GalleryImage[] {
    return [...this.cards.values()].flatMap((card) => (card.image ? [card.image] : []));
  }

  /** Whether pages are left to read. */
  public get complete(): boolean {
    return this.nextToken === undefined;
  }

  /** Reads the next page; resolves once it is shown. */
  public async loadMore(): Promise<void> {
    if (this.loading || this.nextToken === undefined) return;
    this.loading = true;
    this.status.textContent = 'Loading your images…';
    try {
      const page = await this.api.images(this.nextToken);
      for (const image of page.items) if (!this.cards.has(image.id)) this.grid.append(this.cardFor(image).root);
      this.nextToken = page.nextToken ?? undefined;
      this.more.hidden = this.nextToken === undefined;
      this.showCount();
    } catch (error) {
      this.status.textContent = await explainError(error, this.graphqlUrl);
      this.status.dataset.state = 'error';
      this.more.hidden = false;
    } finally {
      this.loading = false;
    }
  }

  private showCount(): void {
    const count = this.cards.size;
    delete this.status.dataset.state;
    this.status.textContent =
      count === 0 ? 'No images yet: drop some photos above.' : `${count} image${count === 1 ? '' : 's'}${this.nextToken === undefined ? '' : ', more below'}.`;
  }

  /** A card for an upload, at the top of the grid; it joins the index once it has an id (`register`). */
  public addUpload(card: Card): void {
    this.grid.prepend(card.root);
  }

  public register(id: string, card: Card): void {
    // A retried upload gets a new ticket: the card follows the new image.
    if (card.id && card.id !== id) this.cards.delete(card.id);
    card.setId(id);
    this.cards.set(id, card);
    this.showCount();
  }

  /** An image the API reported (an event, a re-read): updates its card, or adds it at the top if new. */
  public upsert(image: GalleryImage): void {
    const card = this.cards.get(image.id);
    if (card) {
      card.update(image);
      // An event carries no URLs: a card with nothing to show asks for them.
      if (image.status === 'LABELED' && !card.image?.thumbnailUrl && !card.preview) void this.reread(card);
      return;
    }
    const added = this.cardFor(image);
    this.grid.prepend(added.root);
    if (image.status === 'LABELED' && !image.thumbnailUrl) void this.reread(added);
    this.showCount();
  }

  /**
   * Re-reads every card still PENDING. Called after each subscription ack,
   * when the socket has been down and events may have gone by.
   */
  public refreshPending(): Promise<void> {
    // One pass at a time; a pass asked for meanwhile runs after it (its ack may have come after our reads).
    const run = async () => {
      const pending = [...this.cards.values()].filter((card) => card.statusValue === 'PENDING');
      await Promise.all(pending.map((card) => this.reread(card)));
    };
    this.refreshing = (this.refreshing ?? Promise.resolve()).then(run, run);
    return this.refreshing;
  }

  private async reread(card: Card): Promise<void> {
    const id = card.id;
    if (!id) return;
    try {
      const image = await this.api.image(id);
      if (image) card.update(image);
      else this.remove(id);
    } catch {
      // Unreachable now: the next (re)connection reads it again.
    }
  }

  public remove(id: string): void {
    const card = this.cards.get(id);
    if (!card) return;
    this.cards.delete(id);
    this.selected.delete(card);
    card.root.remove();
    this.showSelection();
    this.showCount();
  }

  private cardFor(image: GalleryImage): Card {
    const card = new Card({
      name: image.fileName ?? image.id,
      onOpen: (opened) => this.openDetail(opened),
      onSelect: (selected, on) => this.select(selected, on),
    });
    card.update(image);
    this.cards.set(image.id, card);
    return card;
  }

  /** Cards made by uploads get the same selection behaviour. */
  public select(card: Card, on: boolean): void {
    if (on) this.selected.add(card);
    else this.selected.delete(card);
    this.showSelection();
  }

  private showSelection(): void {
    const count = this.selected.size;
    this.toolbar.hidden = count === 0;
    this.selectionCount.textContent = `${count} selected`;
    this.confirmBox.replaceChildren();
    this.deleteSelected.disabled = false;
  }

  private confirmDeleteSelected(): void {
    const cards = [...this.selected];
    if (cards.length === 0) return;
    const yes = el('button', { class: 'button danger', type: 'button', text: `Delete ${cards.length}` });
    const no = el('button', { class: 'button secondary', type: 'button', text: 'Cancel' });
    no.addEventListener('click', () => this.showSelection());
    yes.addEventListener('click', () => void this.deleteCards(cards));
    this.confirmBox.replaceChildren(el('span', { text: `Delete ${cards.length} image${cards.length === 1 ? '' : 's'} for good?` }), yes, no);
    this.deleteSelected.disabled = true;
    yes.focus();
  }

  private async deleteCards(cards: readonly Card[]): Promise<void> {
    this.confirmBox.replaceChildren(el('span', { text: 'Deleting…' }));
    const failures: string[] = [];
    await Promise.all(
      cards.map(async (card) => {
        const id = card.id;
        if (!id) return;
        try {
          await this.api.deleteImage(id);
          this.remove(id);
        } catch (error) {
          // Gone already (another tab, the CLI): what the user wanted.
          if (/NotFound/.test(describeError(error))) return this.remove(id);
          failures.push(`${card.name}: ${await explainError(error, this.graphqlUrl)}`);
        }
      }),
    );
    this.showSelection();
    if (failures.length) this.confirmBox.replaceChildren(el('span', { class: 'error', text: `Not deleted: ${failures.join('; ')}` }));
  }
}
