/** The result shapes the gallery shows, named from the generated documents (client-example/graphql/). */
import type { Image, ImageWithUrls, LabelCount } from '../../graphql/index.ts';

export type { UploadTicket } from '../../graphql/index.ts';

/** An image from an onImageLabeled event (no URLs) or from a query (with its read URLs). */
export type GalleryImage = Image & Partial<Pick<ImageWithUrls, 'url' | 'thumbnailUrl'>>;

export type GalleryLabel = GalleryImage['labels'][number];

export type LabelSuggestion = LabelCount;

/** One page of images, newest first, and the token of the next page (null: no more). */
export interface ImagePage {
  readonly items: readonly GalleryImage[];
  readonly nextToken: string | null | undefined;
}
