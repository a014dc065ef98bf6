/**
 * The gallery's calls to labelcast through aws-amplify v6, configured from
 * the amplify_outputs.json served beside the page.
 */
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import {
  galleryImageQuery,
  galleryImagesByLabelQuery,
  labelSuggestionsQuery,
  onAnyImageLabeledSubscription,
  requestUploadMutation,
} from './operations.ts';
import type { GalleryImage, LabelSuggestion, UploadTicket } from './types.ts';

interface PlainClient {
  graphql(options: { query: string; variables?: Record<string, unknown> }): unknown;
}
interface Subscribable<T> {
  subscribe(observer: { next(value: { data: T }): void; error(error: unknown): void }): { unsubscribe(): void };
}

/** AppSync's errors as one readable line: `errorType: message`. */
export function describeError(error: unknown): string {
  const errors = (error as { errors?: { errorType?: string; message: string }[] } | null)?.errors;
  if (errors?.length) return errors.map((e) => (e.errorType ? `${e.errorType}: ${e.message}` : e.message)).join('; ');
  return error instanceof Error ? error.message : String(error);
}

export async function configureFromOutputs(url = './amplify_outputs.json'): Promise<void> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  Amplify.configure((await response.json()) as Parameters<typeof Amplify.configure>[0]);
}

export class GalleryApi {
  private readonly client = generateClient() as unknown as PlainClient;
  /** Set once the API answers that it has no label catalog, so autocomplete stops asking. */
  private catalogMissing = false;

  private async run<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const result = (await this.client.graphql({ query, variables })) as { data: T };
    return result.data;
  }

  public async requestUpload(input: { contentType: string; sizeBytes: number; fileName: string }): Promise<UploadTicket> {
    return (await this.run<{ requestUpload: UploadTicket }>(requestUploadMutation, { input })).requestUpload;
  }

  /**
   * Streams every onImageLabeled event. Resolves once AppSync acknowledged
   * the subscription, so uploads started afterwards cannot miss their event.
   */
  public subscribeLabeled(onImage: (image: GalleryImage) => void, onError: (message: string) => void): Promise<void> {
    return new Promise((resolve) => {
      const stop = Hub.listen('api', ({ payload }) => {
        if (payload.event === 'Subscription ack') {
          stop();
          resolve();
        }
      });
      const observable = this.client.graphql({ query: onAnyImageLabeledSubscription }) as Subscribable<{ onImageLabeled: GalleryImage }>;
      observable.subscribe({
        next: ({ data }) => onImage(data.onImageLabeled),
        error: (error) => onError(describeError(error)),
      });
    });
  }

  /** Reports Amplify's realtime connection state (Connected, Connecting, ConnectionDisrupted…). */
  public onConnectionState(listener: (state: string) => void): void {
    Hub.listen('api', ({ payload }) => {
      const state = (payload.data as { connectionState?: string } | undefined)?.connectionState;
      if (payload.event === 'ConnectionStateChange' && state) listener(state);
    });
  }

  public async image(id: string): Promise<GalleryImage | null> {
    return (await this.run<{ image: GalleryImage | null }>(galleryImageQuery, { id })).image;
  }

  public async search(args: { label: string; minConfidence?: number; nextToken?: string | null; limit?: number }) {
    const data = await this.run<{ imagesByLabel: { items: GalleryImage[]; nextToken: string | null } }>(galleryImagesByLabelQuery, {
      limit: 24,
      ...args,
    });
    return data.imagesByLabel;
  }

  /** Label names starting with `prefix`; empty when the API has no label catalog. */
  public async labelSuggestions(prefix: string): Promise<LabelSuggestion[]> {
    if (this.catalogMissing) return [];
    try {
      const data = await this.run<{ labels: { items: LabelSuggestion[] } }>(labelSuggestionsQuery, { prefix, limit: 10 });
      return data.labels.items;
    } catch (error) {
      // A schema without Query.labels fails validation; anything else is worth a retry later.
      if (/labels|Validation|FieldUndefined/i.test(describeError(error))) this.catalogMissing = true;
      return [];
    }
  }
}
