import { describe, expect, it } from 'vitest';
import { AuthMode } from '../../api/manifest.ts';
import { buildServedSchema } from '../../local/appsync/server/schema.ts';

describe('buildServedSchema', () => {
  const served = buildServedSchema();

  it('reads field auth from the composed directives', () => {
    expect(served.modesFor('Mutation', 'publishImageLabeled')).toEqual([AuthMode.IAM]);
    // clientModes = API_KEY + USER_POOL, both served offline (local/cognito/ is the user pool).
    expect(served.modesFor('Query', 'image')).toEqual([AuthMode.API_KEY, AuthMode.USER_POOL]);
    expect(served.modesFor('Subscription', 'onImageLabeled')).toEqual([AuthMode.API_KEY, AuthMode.USER_POOL]);
  });

  it('gives fields of other object types their type-level modes', () => {
    expect(served.modesFor('Image', 'labels')).toEqual([AuthMode.API_KEY, AuthMode.IAM, AuthMode.USER_POOL]);
  });

  it('maps mutations to the subscriptions that @aws_subscribe to them', () => {
    expect(served.subscriptionsOf('publishImageLabeled')).toEqual(['onImageLabeled']);
    expect(served.subscriptionsOf('requestUpload')).toEqual([]);
  });
});
