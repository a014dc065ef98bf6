/**
 * The labelcast web gallery: your library (newest first, live), uploads that
 * join it, search by label, and a detail view. Wiring only; each part is its
 * own module.
 */
import './styles.css';
import { configureFromOutputs, GalleryApi } from './api.ts';
import type { Card } from './card.ts';
import { ConnectionView } from './connection.ts';
import { DetailView, type DetailSource } from './detail.ts';
import { byId } from './dom.ts';
import { DuplicateFinder } from './duplicates.ts';
import { describeError } from './errors.ts';
import { Library } from './library.ts';
import { Search } from './search.ts';
import { Uploads } from './uploads.ts';

const connection = new ConnectionView();

function acceptDroppedFiles(onFiles: (files: File[]) => void): void {
  const input = byId<HTMLInputElement>('file-input');
  input.addEventListener('change', () => {
    if (input.files) onFiles(Array.from(input.files));
    input.value = '';
  });
  const zone = byId('drop-zone');
  for (const type of ['dragenter', 'dragover'] as const) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add('dragging');
    });
  }
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    if (event.dataTransfer?.files.length) onFiles(Array.from(event.dataTransfer.files));
  });
}

async function main(): Promise<void> {
  const outputs = await configureFromOutputs();
  const graphqlUrl = outputs.data.url;
  const api = new GalleryApi();
  const detail = new DetailView(api, graphqlUrl);

  const librarySource: DetailSource = { ordered: () => library.ordered, removed: (id) => library.remove(id) };
  const openFromLibrary = (card: Card) => detail.open(card, librarySource);
  const library = new Library(api, graphqlUrl, openFromLibrary);
  const uploads = new Uploads(api, library, new DuplicateFinder(), graphqlUrl, openFromLibrary);
  new Search(api, graphqlUrl, (card, source) => detail.open(card, source), (id) => library.remove(id));

  api.onConnectionState((state) => connection.show(state));
  let acknowledged: () => void = () => undefined;
  const firstAck = new Promise<void>((resolve) => (acknowledged = resolve));
  let acks = 0;
  api.subscribeLabeled({
    onImage: (image) => {
      library.upsert(image);
      detail.refresh(image.id);
    },
    // At start and after every reconnection: what was pushed while nobody listened is read instead.
    onAcknowledged: () => {
      connection.show('Connected');
      const refreshed = library.refreshPending();
      acks += 1;
      const ack = acks;
      // For tests and curious readers: how many (re)subscriptions have been caught up with.
      void refreshed.then(() => (document.body.dataset.caughtUp = String(ack)));
      acknowledged();
    },
    onError: (message) => connection.error(`Live updates failed: ${message}`),
  });
  acceptDroppedFiles((files) => uploads.add(files));
  await Promise.all([firstAck, library.loadMore()]);
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => connection.error(`Could not start: ${describeError(error)}`));
