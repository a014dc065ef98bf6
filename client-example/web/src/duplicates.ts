/**
 * Whether a file holds the same bytes as an image you already have. The API
 * reports no content hash, so the gallery compares itself: images of the
 * same size are the only candidates (same bytes, same `sizeBytes`), and a
 * candidate is confirmed by the SHA-256 of its stored original (`Image.url`,
 * the uploaded bytes as they are) against the file's. Uploads from this
 * browser remember their hash, so those need no download.
 * (An API field, e.g. `Image.sha256` or `duplicateOf`, would spare the download.)
 */
import type { GalleryImage } from './types.ts';

const storageKey = 'labelcast.sha256';

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function remembered(): Record<string, string> {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '{}');
    return stored && typeof stored === 'object' ? (stored as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export class DuplicateFinder {
  /** SHA-256 of images' bytes by image id. */
  private readonly hashes = new Map<string, string>(Object.entries(remembered()));

  public async hashOf(file: Blob): Promise<string> {
    return sha256(await file.arrayBuffer());
  }

  /** Records an upload's hash, so a later drop of the same bytes is found without a download. */
  public remember(id: string, hash: string): void {
    this.hashes.set(id, hash);
    try {
      localStorage.setItem(storageKey, JSON.stringify(Object.fromEntries(this.hashes)));
    } catch {
      // Storage full or refused: the size-and-download check still works.
    }
  }

  /** The first of `images` with exactly these bytes, if any. */
  public async find(hash: string, sizeBytes: number, images: readonly GalleryImage[]): Promise<GalleryImage | undefined> {
    for (const image of images) {
      if (image.sizeBytes !== sizeBytes || image.status === 'FAILED') continue;
      if (!this.hashes.has(image.id) && image.url) {
        try {
          const response = await fetch(image.url);
          if (response.ok) this.hashes.set(image.id, await sha256(await response.arrayBuffer()));
        } catch {
          // Unreadable now: not known to be a duplicate.
        }
      }
      if (this.hashes.get(image.id) === hash) return image;
    }
    return undefined;
  }
}
