/** The GraphQL documents the gallery sends, beyond the shared requestUpload. */
export { requestUploadMutation } from '../../lib/operations.ts';

const labelFields = /* GraphQL */ `name confidence parents instances { confidence boundingBox { left top width height } }`;

const imageFields = /* GraphQL */ `
  id status fileName createdAt labeledAt error
  labels { ${labelFields} }
  moderationLabels { name confidence }
`;

/** Every labelled image: the gallery matches events to its uploads by id. */
export const onAnyImageLabeledSubscription = /* GraphQL */ `
  subscription OnAnyImageLabeled {
    onImageLabeled { ${imageFields} }
  }
`;

export const galleryImagesByLabelQuery = /* GraphQL */ `
  query GalleryImagesByLabel($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {
    imagesByLabel(label: $label, minConfidence: $minConfidence, limit: $limit, nextToken: $nextToken) {
      items { ${imageFields} url thumbnailUrl }
      nextToken
    }
  }
`;

export const galleryImageQuery = /* GraphQL */ `
  query GalleryImage($id: ID!) {
    image(id: $id) { ${imageFields} url thumbnailUrl }
  }
`;

/** The label catalog, for autocomplete. */
export const labelSuggestionsQuery = /* GraphQL */ `
  query LabelSuggestions($prefix: String, $limit: Int) {
    labels(prefix: $prefix, limit: $limit) { items { name imageCount } }
  }
`;
