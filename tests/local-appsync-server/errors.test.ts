import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fieldError, RequestErrors, requestErrorBody, sigV4RequestError, validationError } from '../../local/appsync/server/errors.ts';

describe('AppSync error shapes', () => {
  it('answers a missing API key with 401 UnauthorizedException', () => {
    const error = RequestErrors.unauthorized();
    expect(error.status).toBe(401);
    expect(requestErrorBody(error)).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
  });

  it('maps SigV4 failures to the JSON-protocol error types, all 403', () => {
    expect(sigV4RequestError('SignatureDoesNotMatch', 'x')).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' });
    expect(sigV4RequestError('InvalidAccessKeyId', 'x')).toEqual({
      status: 403,
      errorType: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    expect(sigV4RequestError('IncompleteSignature', 'missing Credential')).toEqual({
      status: 403,
      errorType: 'IncompleteSignatureException',
      message: 'missing Credential',
    });
    expect(sigV4RequestError('RequestExpired', 'Signature expired')).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' });
  });

  it('phrases validation errors as graphql-java does', () => {
    const error = new GraphQLError('Cannot query field "nope" on type "Query".', {});
    expect(validationError(error)).toEqual({
      path: null,
      locations: [],
      message: 'Validation error of type FieldUndefined: Cannot query field "nope" on type "Query".',
    });
  });

  it('serialises resolver errors with data, errorType and errorInfo', () => {
    const error = new GraphQLError('boom', { path: ['image'], extensions: { appsync: { errorType: 'Custom', data: { a: 1 }, errorInfo: null } } });
    expect(fieldError(error)).toEqual({ path: ['image'], data: { a: 1 }, errorType: 'Custom', errorInfo: null, locations: [], message: 'boom' });
  });
});
