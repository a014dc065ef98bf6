/**
 * The request fields of the user pool API, checked as Cognito checks them (its validation messages), and the
 * email shapes the operations share: what a username must look like, and how a code's destination is masked.
 */
import { CognitoApiError } from './errors.ts';

export type Json = Record<string, unknown>;

const nullMember = (name: string) => new CognitoApiError('InvalidParameterException', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);

/**
 * Cognito's answer to a member of the wrong JSON type: SerializationException, as its JSON protocol refuses the
 * request before any constraint is checked. An object's message is Cognito's ("Start of structure or map found where
 * not expected."); a list's follows it; a number's or a boolean's is a local wording (Cognito's is not documented).
 */
const wrongType = (value: unknown) =>
  new CognitoApiError(
    'SerializationException',
    Array.isArray(value) ? 'Start of list found where not expected.' : typeof value === 'object' ? 'Start of structure or map found where not expected.' : `A ${typeof value} found where a string was expected.`,
  );

export function stringField(body: Json, name: string, wire: string, maxLength = 2048): string {
  const value = body[name];
  if (value === undefined || value === null) throw nullMember(wire);
  if (typeof value !== 'string') throw wrongType(value);
  if (value.length > maxLength) {
    throw new CognitoApiError('InvalidParameterException', `1 validation error detected: Value at '${wire}' failed to satisfy constraint: Member must have length less than or equal to ${maxLength}`);
  }
  return value;
}

export function stringMap(body: Json, name: string, wire: string): Record<string, string> {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value as Json).every((entry) => typeof entry === 'string')) {
    throw new CognitoApiError('SerializationException', `${wire} must be a map of strings`);
  }
  return value as Record<string, string>;
}

/**
 * The characters Cognito allows in a username (SignUp's `Username` pattern, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`) and a
 * group name (routes.ts): letters, marks, symbols, numbers and punctuation. So no whitespace, control or format
 * character: an escape sequence or a zero-width space would otherwise reach the stack's log, or make a look-alike of
 * another user's email.
 */
export const nameCharacters = String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]`;
const usernamePattern = new RegExp(`^${nameCharacters}+$`, 'u');

/** Refuses a username outside Cognito's pattern with Cognito's validation error (which does not echo the value). */
export function checkUsername(username: string): string {
  if (!usernamePattern.test(username)) {
    throw new CognitoApiError('InvalidParameterException', `1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: ${nameCharacters}+`);
  }
  return username;
}

/** The request's `Username`: a string of at most 128 characters in Cognito's pattern. */
export const usernameField = (body: Json): string => checkUsername(stringField(body, 'Username', 'username', 128));

/** An address Cognito takes as an email username: one @, no spaces, a dot in the domain. */
export const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `a***@e***`, as Cognito masks a code's destination. */
export const maskedEmail = (email: string) => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
};
