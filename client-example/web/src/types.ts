/** The Image shape the gallery selects (api/types.ts plus the read URLs). */
import type { Image } from '../../../api/types.ts';

export interface GalleryImage extends Pick<Image, 'id' | 'status' | 'fileName' | 'createdAt' | 'labeledAt' | 'labels' | 'error'> {
  readonly moderationLabels: readonly { readonly name: string; readonly confidence: number }[];
  readonly url?: string | null;
  readonly thumbnailUrl?: string | null;
}

export interface UploadTicket {
  readonly imageId: string;
  readonly uploadUrl: string;
  readonly uploadHeaders: readonly { readonly name: string; readonly value: string }[];
}

export interface LabelSuggestion {
  readonly name: string;
  readonly imageCount: number;
}
