/** The GraphQL documents the example client sends. */

const imageFields = /* GraphQL */ `
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels { name confidence parents aliases categories instances { confidence boundingBox { left top width height } } }
  moderationLabels { name confidence parents }
`;

export const requestUploadMutation = /* GraphQL */ `
  mutation RequestUpload($input: RequestUploadInput!) {
    requestUpload(input: $input) { imageId uploadUrl uploadHeaders { name value } expiresAt }
  }
`;

export const onImageLabeledSubscription = /* GraphQL */ `
  subscription OnImageLabeled($imageId: ID) {
    onImageLabeled(imageId: $imageId) { ${imageFields} }
  }
`;

export const imageQuery = /* GraphQL */ `
  query Image($id: ID!) {
    image(id: $id) { ${imageFields} }
  }
`;

export const imagesByLabelQuery = /* GraphQL */ `
  query ImagesByLabel($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {
    imagesByLabel(label: $label, minConfidence: $minConfidence, limit: $limit, nextToken: $nextToken) {
      items { ${imageFields} }
      nextToken
    }
  }
`;

export const labelsQuery = /* GraphQL */ `
  query Labels($prefix: String, $limit: Int, $nextToken: String) {
    labels(prefix: $prefix, limit: $limit, nextToken: $nextToken) { items { name imageCount } nextToken }
  }
`;

export const deleteImageMutation = /* GraphQL */ `
  mutation DeleteImage($id: ID!) {
    deleteImage(id: $id) { ${imageFields} }
  }
`;
