/**
 * A stand-in resolver runtime for server tests: answers the manifest's fields
 * with fixed data and records every call, so tests see exactly what the server
 * passed (arguments, identity, info). Not a mock of the server under test.
 */
import type { ResolveFieldArgs, ResolveFieldResult, ResolverRuntime } from '../../local/appsync/resolvers/index.ts';

export const sampleImage = {
  id: 'img-1',
  status: 'LABELED',
  contentType: 'image/jpeg',
  sizeBytes: 1234,
  fileName: 'cat.jpg',
  createdAt: '2024-05-01T10:00:00.000Z',
  labeledAt: '2024-05-01T10:00:05.000Z',
  labels: [{ name: 'Cat', confidence: 99.1, parents: ['Animal'], categories: ['Animals and Pets'], instances: [] }],
  moderationLabels: [],
  error: null,
};

/**
 * publishImageLabeled's input for a labelled image, as the labeler sends it: no labels unless `fields` gives some.
 * The server tests publish it signed (IAM) to see who may, and what subscribers get.
 */
export const labeledPublishInput = (fields: { readonly id?: string; readonly fileName?: string; readonly labels?: readonly unknown[] } = {}) => ({
  id: 'img-1',
  status: 'LABELED',
  contentType: 'image/jpeg',
  sizeBytes: 10,
  fileName: 'cat.jpg',
  createdAt: '2024-05-01T10:00:00.000Z',
  labeledAt: '2024-05-01T10:00:05.000Z',
  labels: [],
  moderationLabels: [],
  ...fields,
});

export interface FakeRuntime extends ResolverRuntime {
  readonly calls: ResolveFieldArgs[];
}

export function fakeRuntime(): FakeRuntime {
  const calls: ResolveFieldArgs[] = [];
  return {
    calls,
    async resolveField(args): Promise<ResolveFieldResult> {
      calls.push(args);
      const coordinate = `${args.wiring.typeName}.${args.wiring.fieldName}`;
      switch (coordinate) {
        case 'Query.image':
          return { data: args.arguments.id === sampleImage.id ? sampleImage : null, errors: [] };
        case 'Query.imagesByLabel':
          if (args.arguments.label === 'boom') throw new Error('secret internal detail /home/x/file.ts:12');
          if (args.arguments.label === '') {
            return { data: null, errors: [{ message: 'label must not be empty', errorType: 'ValidationError', errorInfo: { field: 'label' } }] };
          }
          return { data: { items: [sampleImage], nextToken: null }, errors: [] };
        case 'Mutation.requestUpload':
          return { data: null, errors: [{ message: 'contentType image/gif is not supported', errorType: 'BadRequest', data: { allowed: ['image/jpeg'] } }] };
        case 'Mutation.publishImageLabeled':
          return { data: args.arguments.input, errors: [] };
        case 'Subscription.onImageLabeled': {
          const imageId = args.arguments.imageId;
          if (imageId === 'forbidden') return { data: null, errors: [{ message: 'no such image', errorType: 'NotFound' }] };
          return {
            data: null,
            errors: [],
            ...(typeof imageId === 'string' && imageId !== ''
              ? { subscriptionFilter: { filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: imageId }] }] } }
              : {}),
          };
        }
        default:
          return { data: null, errors: [] };
      }
    },
  };
}
