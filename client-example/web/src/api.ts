/**
 * The gallery's calls to labelcast through aws-amplify v6, configured from
 * the amplify_outputs.json served beside the page.
 */
import { Amplify } from 'aws-amplify';
import { Hub } from 'aws-amplify/utils';
import {
  ImagesByLabelWithUrlsDocument,
  LabelsDocument,
  OnImageLabeledDocument,
  RequestUploadDocument,
} from '../../graphql/index.ts';
import { GraphqlClient, graphqlErrorLines } from '../../lib/graphql-client.ts';
import type { GalleryImage, LabelSuggestion, UploadTicket } from './types.ts';

/** AppSync's errors as one readable line: `errorType: message`. */
export const describeError = (error: unknown): string => graphqlErrorLines(error).join('; ');

export async function configureFromOutputs(url = './amplify_outputs.json'): Promise<void> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  Amplify.configure((await response.json()) as Parameters<typeof Amplify.configure>[0]);
}

export class GalleryApi {
  private readonly client = new GraphqlClient();
  /** Set once the API answers that it has no label catalog, so autocomplete stops asking. */
  private catalogMissing = false;

  public async requestUpload(input: { contentType: string; sizeBytes: number; fileName: string }): Promise<UploadTicket> {
    return (await this.client.request(RequestUploadDocument, { input })).requestUpload;
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
      this.client.subscribe(OnImageLabeledDocument, {}, {
        next: ({ onImageLabeled: image }) => (image ? onImage(image) : onError('an onImageLabeled event carried no image')),
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

  public async search(args: { label: string; minConfidence?: number; nextToken?: string | null; limit?: number }) {
    return (await this.client.request(ImagesByLabelWithUrlsDocument, { limit: 24, ...args })).imagesByLabel;
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
