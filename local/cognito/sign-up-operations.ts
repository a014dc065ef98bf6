/**
 * SignUp, ConfirmSignUp and ResendConfirmationCode: email as the username attribute (the username a generated
 * UUID), the pool's password policy, confirmation codes "sent" to the stack's log, and preventUserExistenceErrors
 * (an unknown user answered as a wrong code is, and limited alike).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { CognitoApiError, attemptLimitExceeded, tooManyRequests } from './errors.ts';
import type { Operation, OperationContext } from './operation-context.ts';
import { passwordProblem } from './password-policy.ts';
import { emailPattern, maskedEmail, stringField, usernameField, type Json } from './request-fields.ts';
import { makeVerifier } from './srp.ts';
import { uuidPattern, type PoolUser } from './users.ts';

/** Cognito's sign-up codes are valid 24 hours. */
export const confirmationCodeValidityMs = 24 * 60 * 60 * 1000;

const codeMismatch = () => new CognitoApiError('CodeMismatchException', 'Invalid verification code provided, please try again.');
const expiredCode = () => new CognitoApiError('ExpiredCodeException', 'Invalid code provided, please request a code again.');

/**
 * `text` with its control, format and line-separator characters written as `\u{…}` escapes: a second guard (after
 * usernameField) so that no name a client chose moves the developer's cursor or forges a line in the stack's log
 * (a user file written before usernames were checked may hold one).
 */
const printable = (text: string) => text.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu, (character) => `\\u{${(character.codePointAt(0) ?? 0).toString(16)}}`);

export function signUpOperations(context: OperationContext) {
  const { users, now, log, maxUsers, policy, poolName, codeAttempts, resends, lockout, standIns, checkClient, userNamed } = context;

  const newCode = () => ({ value: String(randomInt(0, 1_000_000)).padStart(6, '0'), expiresAt: now() + confirmationCodeValidityMs });
  /** Where Cognito says a code went: the email, masked. An unknown email is answered alike, with no code sent. */
  const codeDelivery = (email: string) => ({ AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: maskedEmail(email) });
  const sendCode = (user: PoolUser, code: { value: string }) => {
    log(`[cognito] confirmation code for ${printable(user.email)}: ${code.value} (valid 24 h; the email Cognito would send)`);
    return codeDelivery(user.email);
  };

  /**
   * At the cap on users, the unconfirmed user who signed up first makes room, so sign-ups junk addresses never
   * confirm (any web page may send them: Cognito's API answers CORS for any origin) cannot stop sign-ups for good;
   * while such a flood lasts, a real pending sign-up may be removed before it is confirmed (logged).
   * The oldest unconfirmed rather than only one whose code expired: that would still stop sign-ups for a day at a
   * time. Only when every user is confirmed is a sign-up refused.
   */
  const makeRoom = () => {
    const oldest = users.oldestUnconfirmed();
    if (!oldest) throw new CognitoApiError('LimitExceededException', `The local user pool holds at most ${maxUsers} users, all confirmed.`);
    users.remove(oldest.userId);
    // Its counts would otherwise stay until swept: no request names a removed user's id as a user's again.
    codeAttempts.forget(oldest.userId);
    lockout.forget(oldest.userId);
    log(`[cognito] the local user pool holds at most ${maxUsers} users: unconfirmed ${printable(oldest.email)} removed to make room`);
  };

  return {
    SignUp(body) {
      checkClient(body);
      const username = usernameField(body);
      const password = stringField(body, 'Password', 'password', 4096);
      const attributes = body.UserAttributes ?? [];
      if (!Array.isArray(attributes) || !attributes.every((entry) => typeof entry === 'object' && entry !== null && typeof (entry as Json).Name === 'string')) {
        throw new CognitoApiError('SerializationException', 'UserAttributes must be a list of { Name, Value }');
      }
      if (!emailPattern.test(username)) throw new CognitoApiError('InvalidParameterException', 'Username should be an email.');
      for (const attribute of attributes as { Name: string; Value?: unknown }[]) {
        if (attribute.Name !== 'email') {
          throw new CognitoApiError('InvalidParameterException', `Attributes did not conform to the schema: ${attribute.Name.slice(0, 64)}: the local user pool stores only email`);
        }
        if (attribute.Value !== username) {
          throw new CognitoApiError('InvalidParameterException', 'User email should be empty or same as username, since username attribute is email.');
        }
      }
      const problem = passwordProblem(password, policy);
      if (problem) throw new CognitoApiError(problem.type, problem.message);
      if (users.byEmail(username)) throw new CognitoApiError('UsernameExistsException', 'An account with the given email already exists.');
      if (users.size >= maxUsers) makeRoom();
      const userId = randomUUID();
      const code = newCode();
      const verifier = makeVerifier(poolName, userId, password);
      const user = users.create({ email: username, status: 'UNCONFIRMED', ...verifier, createdAt: now(), code }, userId);
      return { UserConfirmed: false, UserSub: user.userId, CodeDeliveryDetails: sendCode(user, code) };
    },

    ConfirmSignUp(body) {
      checkClient(body);
      const username = usernameField(body);
      const given = stringField(body, 'ConfirmationCode', 'confirmationCode', 2048);
      const user = userNamed(username);
      if (user?.status === 'CONFIRMED') throw new CognitoApiError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
      // preventUserExistenceErrors: an unknown user gets the wrong code's answer, and the limit after 5, as a real one,
      // counted under its stand-in's id, so its email and the USER_ID_FOR_SRP InitiateAuth gives share one count
      // as a real user's email and id do. The stand-in's id is derived for a real user too (an HMAC, ~3 µs), so that
      // the answers cost the same.
      const standInId = standIns.userIdFor(username);
      const key = user?.userId ?? standInId;
      const attempts = codeAttempts.check(key);
      if (attempts === 'limited') throw attemptLimitExceeded();
      // Before the code is compared: a code is never tried uncounted.
      if (attempts === 'full') throw tooManyRequests();
      if (!user) {
        codeAttempts.count(key);
        throw codeMismatch();
      }
      const code = user.code;
      if (!code) throw expiredCode();
      if (given !== code.value) {
        codeAttempts.count(key);
        throw codeMismatch();
      }
      if (code.expiresAt <= now()) throw expiredCode();
      const { code: _used, ...confirmed } = user;
      users.save({ ...confirmed, status: 'CONFIRMED' });
      codeAttempts.forget(user.userId);
      return {};
    },

    ResendConfirmationCode(body) {
      checkClient(body);
      const username = usernameField(body);
      // By email only: a real user's generated username would be answered with its masked email, an unknown one's
      // (a stand-in's id, from InitiateAuth) with a masked UUID, telling them apart. Refusing every UUID-shaped
      // name alike is stricter than Cognito, which resends by either name; clients send the email they signed up with.
      if (uuidPattern.test(username)) throw new CognitoApiError('InvalidParameterException', 'The local user pool resends a code by email only, not by the generated username.');
      // Counted before the user is looked up, every email alike: a limit only real users had would tell them apart.
      const resend = resends.check(username);
      if (resend === 'limited') throw attemptLimitExceeded();
      if (resend === 'full') throw tooManyRequests();
      resends.count(username);
      const user = users.byEmail(username);
      if (!user) return { CodeDeliveryDetails: codeDelivery(username) };
      if (user.status === 'CONFIRMED') throw new CognitoApiError('InvalidParameterException', 'User is already confirmed.');
      const code = newCode();
      // The one cost an unknown name's answer lacks (a file written, ~0.07 ms of CPU): documented in README.
      users.save({ ...user, code });
      return { CodeDeliveryDetails: sendCode(user, code) };
    },
  } satisfies Record<string, Operation>;
}
