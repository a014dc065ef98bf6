import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isValidScalarInput } from '../../local/appsync/server/scalars.ts';
import { buildServedSchema } from '../../local/appsync/server/schema.ts';

describe('AppSync scalars', () => {
  it.each([
    ['AWSDateTime', '2024-05-01T10:00:00.000Z', true],
    ['AWSDateTime', '2024-05-01T10:00:00+02:00', true],
    ['AWSDateTime', '2024-05-01T10:00Z', true],
    ['AWSDateTime', '2024-05-01T10:00:00', false], // offset is compulsory
    ['AWSDateTime', '2024-13-01T10:00:00Z', false],
    ['AWSDateTime', 'yesterday', false],
    ['AWSDate', '2024-05-01', true],
    ['AWSDate', '2024-05-01Z', true],
    ['AWSDate', '05/01/2024', false],
    ['AWSTime', '23:59:59.999', true],
    ['AWSTime', '24:00', false],
    ['AWSTimestamp', 1714557600, true],
    ['AWSTimestamp', 1.5, false],
    ['AWSURL', 'https://example.com/a/b?c=d', true],
    ['AWSURL', 'mailto:someone@example.com', true],
    ['AWSURL', 'example.com/path', false],
    ['AWSURL', 'https://example.com/a//b', false],
    ['AWSEmail', 'someone@example.com', true],
    ['AWSEmail', 'someone', false],
    ['AWSJSON', '{"a":1}', true],
    ['AWSJSON', '{a:1}', false],
    ['AWSIPAddress', '10.0.0.0/8', true],
    ['AWSIPAddress', '::1', true],
    ['AWSIPAddress', '300.1.1.1', false],
    ['AWSPhone', '+1 (555) 010-9999', true],
    ['AWSPhone', 'call me', false],
  ])('%s accepts %j: %s', (scalar, value, valid) => {
    expect(isValidScalarInput(scalar, value)).toBe(valid);
  });

  it('rejects a bad AWSDateTime literal during validation and a bad value on output', async () => {
    const served = buildServedSchema();
    const literal = await graphql({
      schema: served.schema,
      source: `mutation { publishImageLabeled(input: { id: "1", status: LABELED, contentType: "image/png", sizeBytes: 1,
        createdAt: "not a date", labels: [], moderationLabels: [] }) { id } }`,
    });
    expect(literal.errors?.[0]?.message).toMatch(/valid DateTime/);

    const output = await graphql({
      schema: served.schema,
      source: '{ image(id: "1") { createdAt } }',
      rootValue: { image: { createdAt: 'soon' } },
    });
    expect(output.errors?.[0]?.message).toMatch(/Unable to parse 'soon' as a valid DateTime/);
  });
});
