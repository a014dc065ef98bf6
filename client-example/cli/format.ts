/** How the CLI prints images: a readable block, or one JSON object a line (--json). */
import type { Image } from '../graphql/index.ts';
import { strongestFirst } from '../lib/label-order.ts';

export function formatImage(image: Image): string {
  const head = `${image.id}  ${image.status}${image.fileName ? `  ${image.fileName}` : ''}`;
  if (image.status === 'FAILED') return `${head}\n  error: ${image.error}`;
  const labels = strongestFirst(image.labels).map((label) => {
    const parents = label.parents.length ? ` (${label.parents.join(', ')})` : '';
    const boxes = label.instances.length ? ` [${label.instances.length} instance${label.instances.length > 1 ? 's' : ''}]` : '';
    return `  ${label.name.padEnd(24)} ${label.confidence.toFixed(1).padStart(5)}%${boxes}${parents}`;
  });
  const moderation = image.moderationLabels.map((label) => `  moderation: ${label.name} ${label.confidence.toFixed(1)}%`);
  return [head, ...labels, ...moderation].join('\n');
}

/** One NDJSON line. */
export const jsonLine = (value: unknown) => JSON.stringify(value);

/** One line an image, for lists: id, status, when, file name, its top labels (or its error). */
export function formatImageLine(image: Image): string {
  const labels = strongestFirst(image.labels)
    .slice(0, 3)
    .map((label) => `${label.name} ${Math.round(label.confidence)}%`)
    .join(', ');
  const what = image.status === 'FAILED' ? (image.error ?? '') : image.status === 'LABELED' && !labels ? 'no labels' : labels;
  return [image.id, image.status.padEnd(7), image.createdAt, image.fileName ?? '-', what].join('  ').trimEnd();
}
