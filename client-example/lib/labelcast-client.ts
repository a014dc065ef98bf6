/**
 * What an app does with labelcast, on aws-amplify v6: request a ticket,
 * subscribe to the image's event, PUT the bytes, wait for the labels; and
 * search by label.
 */
import { Hub } from 'aws-amplify/utils';
import { generateClient } from 'aws-amplify/api';
import type { Image } from '../../api/types.ts';
import { sniffContentType } from './content-type.ts';
import {
  deleteImageMutation,
  imageQuery,
  imagesByLabelQuery,
  labelsQuery,
  onImageLabeledSubscription,
  requestUploadMutation,
} from './operations.ts';

export interface UploadTicket {
  readonly imageId: string;
  readonly uploadUrl: string;
  readonly uploadHeaders: readonly { readonly name: string; readonly value: string }[];
  readonly expiresAt: string;
}

export interface ImagePage {
  readonly items: Image[];
  readonly nextToken: string | null;
}

/** A label of the catalog and how many images carry it. */
export interface LabelCount {
  readonly name: string;
  readonly imageCount: number;
}

export interface LabelPage {
  readonly items: LabelCount[];
  readonly nextToken: string | null;
}

/**
 * Amplify's generated typings are built for codegen'd documents; these
 * untyped documents go through a plain view of the same client.
 */
interface GraphqlOptions {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}
interface PlainClient {
  graphql(options: GraphqlOptions): unknown;
}
interface Subscribable<T> {
  subscribe(observer: { next(value: { data: T }): void; error(error: unknown): void }): { unsubscribe(): void };
}

/** Amplify reports a started subscription on the 'api' Hub channel; `undefined` waits for the one without imageId. */
function subscriptionAcknowledged(imageId: string | undefined, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`subscription for ${imageId ?? 'every image'} was not acknowledged within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = Hub.listen('api', ({ payload }) => {
      const data = payload.data as { variables?: { imageId?: string } } | undefined;
      if (payload.event === 'Subscription ack' && data?.variables?.imageId === imageId) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}

export interface LabelcastClientOptions {
  /**
   * How calls are authorized: 'userPool' sends the signed-in user's token
   * (Amplify's Auth, or a custom tokenProvider), so the user sees only its own images.
   * @default - the API's default mode, the API key
   */
  readonly authMode?: 'apiKey' | 'userPool';
}

export class LabelcastClient {
  private readonly client: PlainClient;

  public constructor(options: LabelcastClientOptions = {}) {
    this.client = generateClient(options.authMode ? { authMode: options.authMode } : {}) as unknown as PlainClient;
  }

  private async run<T>(options: GraphqlOptions): Promise<T> {
    const result = (await this.client.graphql(options)) as { data: T };
    return result.data;
  }

  /** `callbackUrl`: an https URL that receives the signed Image JSON once it is LABELED or FAILED. */
  public async requestUpload(input: { contentType: string; sizeBytes: number; fileName?: string; callbackUrl?: string }): Promise<UploadTicket> {
    const data = await this.run<{ requestUpload: UploadTicket }>({ query: requestUploadMutation, variables: { input } });
    return data.requestUpload;
  }

  /** PUTs the bytes to the ticket's presigned URL with exactly the ticket's headers. */
  public async upload(ticket: UploadTicket, bytes: Uint8Array): Promise<void> {
    const headers = Object.fromEntries(ticket.uploadHeaders.map(({ name, value }) => [name, value]));
    const response = await fetch(ticket.uploadUrl, { method: 'PUT', headers, body: new Uint8Array(bytes) });
    if (!response.ok) throw new Error(`upload refused: HTTP ${response.status} ${await response.text()}`);
  }

  /**
   * Resolves with the image's first onImageLabeled event. `ready` resolves
   * once AppSync acknowledged the subscription, so nothing is missed.
   */
  public watchImage(imageId: string, timeoutMs = 60_000): { ready: Promise<void>; labeled: Promise<Image> } {
    const ready = subscriptionAcknowledged(imageId, 15_000);
    const labeled = new Promise<Image>((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new Error(`no onImageLabeled event for ${imageId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const observable = this.client.graphql({ query: onImageLabeledSubscription, variables: { imageId } });
      const subscription = (observable as Subscribable<{ onImageLabeled: Image }>).subscribe({
          next: ({ data }) => {
            clearTimeout(timer);
            subscription.unsubscribe();
            resolve(data.onImageLabeled);
          },
          error: (error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          },
        });
    });
    return { ready, labeled };
  }

  /**
   * Keeps every onImageLabeled event of an image until `stop()`, for checking
   * that an image is pushed exactly once. `first` resolves with the first event.
   */
  public recordEvents(imageId: string): { ready: Promise<void>; first: Promise<Image>; events: Image[]; stop(): void } {
    const ready = subscriptionAcknowledged(imageId, 15_000);
    const events: Image[] = [];
    let resolveFirst: (image: Image) => void = () => undefined;
    let rejectFirst: (error: Error) => void = () => undefined;
    const first = new Promise<Image>((resolve, reject) => {
      resolveFirst = resolve;
      rejectFirst = reject;
    });
    const observable = this.client.graphql({ query: onImageLabeledSubscription, variables: { imageId } });
    const subscription = (observable as Subscribable<{ onImageLabeled: Image }>).subscribe({
      next: ({ data }) => {
        events.push(data.onImageLabeled);
        resolveFirst(data.onImageLabeled);
      },
      error: (error: unknown) => rejectFirst(error instanceof Error ? error : new Error(JSON.stringify(error))),
    });
    return { ready, first, events, stop: () => subscription.unsubscribe() };
  }

  /**
   * Every onImageLabeled event, until `stop()`. `ready` resolves once AppSync
   * acknowledged the subscription.
   */
  public watchAll(onImage: (image: Image) => void, onError: (error: Error) => void): { ready: Promise<void>; stop(): void } {
    const ready = subscriptionAcknowledged(undefined, 15_000);
    const observable = this.client.graphql({ query: onImageLabeledSubscription, variables: {} });
    const subscription = (observable as Subscribable<{ onImageLabeled: Image }>).subscribe({
      next: ({ data }) => onImage(data.onImageLabeled),
      error: (error: unknown) => onError(error instanceof Error ? error : new Error(JSON.stringify(error))),
    });
    return { ready, stop: () => subscription.unsubscribe() };
  }

  /** The whole flow for one file: ticket, subscription, upload, labels. */
  public async uploadAndWait(bytes: Uint8Array, fileName?: string, onUploaded?: (ticket: UploadTicket) => void): Promise<Image> {
    const contentType = sniffContentType(bytes);
    if (!contentType) throw new Error(`${fileName ?? 'file'} is not a JPEG, PNG or WebP image`);
    const ticket = await this.requestUpload({ contentType, sizeBytes: bytes.byteLength, fileName });
    const { ready, labeled } = this.watchImage(ticket.imageId);
    await ready;
    await this.upload(ticket, bytes);
    onUploaded?.(ticket);
    return labeled;
  }

  public async image(id: string): Promise<Image | null> {
    const data = await this.run<{ image: Image | null }>({ query: imageQuery, variables: { id } });
    return data.image;
  }

  public async imagesByLabel(args: { label: string; minConfidence?: number; limit?: number; nextToken?: string }): Promise<ImagePage> {
    const data = await this.run<{ imagesByLabel: ImagePage }>({ query: imagesByLabelQuery, variables: { ...args } });
    return data.imagesByLabel;
  }

  /** The label catalog, alphabetically, for autocomplete. */
  public async labels(args: { prefix?: string; limit?: number; nextToken?: string } = {}): Promise<LabelPage> {
    const data = await this.run<{ labels: LabelPage }>({ query: labelsQuery, variables: { ...args } });
    return data.labels;
  }

  /** Deletes the image and everything derived from it; returns what was deleted. */
  public async deleteImage(id: string): Promise<Image> {
    const data = await this.run<{ deleteImage: Image }>({ query: deleteImageMutation, variables: { id } });
    return data.deleteImage;
  }
}
