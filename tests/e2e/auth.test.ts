/** AppSync auth as AWS applies it: API key for clients, IAM only for the publish mutation. */
import { describe, expect, it } from 'vitest';
import { ImageDocument } from '../../client-example/graphql/index.ts';
import { publishImageLabeledMutation } from '../../functions/shared/appsync-publisher.ts';
import { amplifyOutputs, postGraphql, postOperation } from '../support/amplify-client.ts';

/** The labeler's own mutation (no client sends it), as an API-key caller would forge it. */
const publish = {
  query: publishImageLabeledMutation,
  variables: {
    input: {
      id: 'forged',
      status: 'LABELED',
      contentType: 'image/jpeg',
      sizeBytes: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      labels: [],
      moderationLabels: [],
    },
  },
};

describe('Auth: API key and IAM', () => {
  it('refuses a request without an API key with 401 UnauthorizedException', async () => {
    const { status, body } = await postOperation(ImageDocument, { id: 'x' });
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ errorType: 'UnauthorizedException' });
  });

  it('refuses a wrong API key', async () => {
    const { status, body } = await postOperation(ImageDocument, { id: 'x' }, { 'x-api-key': 'da2-notthekey' });
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ errorType: 'UnauthorizedException' });
  });

  it('answers a client query with the API key', async () => {
    const { status, body } = await postOperation(ImageDocument, { id: 'no-such-image' }, { 'x-api-key': amplifyOutputs().data.api_key });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { image: null } });
  });

  it('gives an API-key caller Unauthorized on the IAM-only publish mutation', async () => {
    const { status, body } = await postGraphql(publish, { 'x-api-key': amplifyOutputs().data.api_key });
    expect(status).toBe(200);
    expect(body.data).toEqual({ publishImageLabeled: null });
    expect(body.errors?.[0]).toMatchObject({
      errorType: 'Unauthorized',
      message: 'Not Authorized to access publishImageLabeled on type Mutation',
    });
  });
});
