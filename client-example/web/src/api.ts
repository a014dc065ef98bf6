/**
 * The gallery's calls to labelcast through aws-amplify v6, configured from
 * the amplify_outputs.json served beside the page.
 */
import { Amplify } from 'aws-amplify';
import { Hub } from 'aws-amplify/utils';
import {
  DeleteImageDocument,
  ImagesByLabelWithUrlsDocument,
  ImagesWithUrlsDocument,
  ImageWithUrlsDocument,
  LabelsDocument,
  OnImageLabeledDocument,
  RequestUploadDocument,
} from '../../graphql/index.ts';
import { GraphqlClient } from '../../lib/graphql-client.ts';
import { describeError } from './errors.ts';
import type { GalleryImage, ImagePage, LabelSuggestion, UploadTicket } from './types.ts';

export { describeError } from './errors.ts';

/** What the gallery reads from amplify_outputs.json. */
export interface GalleryOutputs {
  readonly data: { readonly url: string };
}

export async function configureFromOutputs(url = './amplify_outputs.json'): Promise<GalleryOutputs> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const outputs = (await response.json()) as GalleryOutputs;
  Amplify.configure(outputs as Parameters<typeof Amplify.configure>[0]);
  return outputs;
}

/** How many images a library or search page holds. */
const pageSize = 24;

export class GalleryApi {
  private readonly client = new GraphqlClient();
  /** Set once the API answers that it has no label catalog, so autocomplete stops asking. */
  private catalogMissing = false;

  public async requestUpload(input: { contentType: string; sizeBytes: number; fileName: string }): Promise<UploadTicket> {
    return (await this.client.request(RequestUploadDocument, { input })).requestUpload;
  }

  /** One image with its read URLs; null once it is gone. */
  public async image(id: string): Promise<GalleryImage | null> {
    return (await this.client.request(ImageWithUrlsDocument, { id })).image ?? null;
  }

  /** The caller's images, newest first, whatever their status (Query.images). */
  public async images(nextToken: string | null): Promise<ImagePage> {
    return (await this.client.request(ImagesWithUrlsDocument, { limit: pageSize, nextToken })).images;
  }

  public async deleteImage(id: string): Promise<void> {
    await this.client.request(DeleteImageDocument, { id });
  }

  /**
   * Streams every onImageLabeled event. `onAcknowledged` runs each time AppSync
   * acknowledges the subscription: at start and after every reconnection
   * (Amplify subscribes again), which is when events may have been missed.
   */
  public subscribeLabeled(handlers: {
    readonly onImage: (image: GalleryImage) => void;
    readonly onAcknowledged: () => void;
    readonly onError: (message: string) => void;
  }): void {
    Hub.listen('api', ({ payload }) => {
      if (payload.event === 'Subscription ack') handlers.onAcknowledged();
    });
    this.client.subscribe(OnImageLabeledDocument, {}, {
      next: ({ onImageLabeled: image }) => (image ? handlers.onImage(image) : handlers.onError('an onImageLabeled event carried no image')),
      error: (error) => handlers.onError(describeError(error)),
    });
  }

  /** Reports Amplify's realtime connection state (Connected, Connecting, ConnectionDisrupted…). */
  public onConnectionState(listener: (state: string) => void): void {
    Hub.listen('api', ({ payload }) => {
      const state = (payload.data as { connectionState?: string } | undefined)?.connectionState;
      if (payload.event === 'ConnectionStateChange' && state) listener(state);
    });
  }

  public async search(args: { label: string; minConfidence?: number; nextToken?: string | null }): Promise<ImagePage> {
    return (await this.client.request(ImagesByLabelWithUrlsDocument, { limit: pageSize, ...args })).imagesByLabel;
  }

  /** Label names starting with `prefix`; empty when the API has no label catalog. */
  public async labelSuggestions(prefix: string): Promise<LabelSuggestion[]> {
    if (this.catalogMissing) return [];
    try {
      return (await this.client.request(LabelsDocument, { prefix, limit: 10 })).labels.items;
    } catch (error) {
      // A schema without Query.labels fails validation; anything else is worth a retry later.
      if (/labels|Validation|FieldUndefined/i.test(describeError(error))) this.catalogMissing = true;
      return [];
    }
  }
}
