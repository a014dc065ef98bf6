/** The labelcast web gallery: upload with live labels, search with thumbnails. */
import './styles.css';
import { configureFromOutputs, describeError, GalleryApi } from './api.ts';
import { byId } from './dom.ts';
import { Search } from './search.ts';
import { Uploads } from './uploads.ts';

const connection = byId<HTMLParagraphElement>('connection');
const setConnection = (text: string, state: string) => {
  connection.textContent = text;
  connection.dataset.state = state;
};

async function main(): Promise<void> {
  await configureFromOutputs();
  const api = new GalleryApi();
  api.onConnectionState((state) => setConnection(state === 'Connected' ? 'Live' : state.replace(/([a-z])([A-Z])/g, '$1 $2'), state));

  const uploads = new Uploads(api, byId<HTMLUListElement>('uploads'));
  const ready = api.subscribeLabeled(
    (image) => uploads.labeled(image),
    (message) => setConnection(`Live updates failed: ${message}`, 'error'),
  );
  uploads.startAfter(ready);
  void ready.then(() => {
    setConnection('Live', 'Connected');
    document.body.dataset.ready = 'true';
  });
  new Search(api);

  const input = byId<HTMLInputElement>('file-input');
  input.addEventListener('change', () => {
    if (input.files) uploads.add(Array.from(input.files));
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
    if (event.dataTransfer?.files.length) uploads.add(Array.from(event.dataTransfer.files));
  });
}

main().catch((error: unknown) => setConnection(`Could not start: ${describeError(error)}`, 'error'));
