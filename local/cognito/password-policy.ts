/**
 * The password checks Cognito applies at SignUp: the Password parameter's own constraints (at most 256
 * characters, no ASCII whitespace: an InvalidParameterException), then the pool's policy (api/user-pool-settings.ts,
 * the one infra deploys: an InvalidPasswordException naming the first rule broken, in Cognito's words).
 */
import type { UserPoolPasswordPolicy } from '../../api/user-pool-settings.ts';

export type PasswordProblem = { readonly type: 'InvalidParameterException' | 'InvalidPasswordException'; readonly message: string };

const policyMessage = (rule: string) => `Password did not conform with policy: ${rule}`;

/** What is wrong with `password` under `policy`, or undefined when Cognito would take it. */
export function passwordProblem(password: string, policy: UserPoolPasswordPolicy): PasswordProblem | undefined {
  const constraint = (rule: string) => ({ type: 'InvalidParameterException' as const, message: `1 validation error detected: Value at 'password' failed to satisfy constraint: ${rule}` });
  if (password.length > 256) return constraint('Member must have length less than or equal to 256');
  // Cognito's pattern [\S]+ is Java's, whose \s is ASCII whitespace only (space, \t, \n, \x0B, \f, \r): a no-break or
  // ideographic space passes it, where JavaScript's \S would refuse it.
  if (!/^[^ \t\n\v\f\r]+$/.test(password)) return constraint('Member must satisfy regular expression pattern: [\\S]+');
  if ([...password].length < policy.minLength) return { type: 'InvalidPasswordException', message: policyMessage('Password not long enough') };
  // Letters of the basic Latin alphabet only: the stricter reading, since Cognito documents no other.
  if (policy.requireLowercase && !/[a-z]/.test(password)) return { type: 'InvalidPasswordException', message: policyMessage('Password must have lowercase characters') };
  if (policy.requireUppercase && !/[A-Z]/.test(password)) return { type: 'InvalidPasswordException', message: policyMessage('Password must have uppercase characters') };
  if (policy.requireDigits && !/[0-9]/.test(password)) return { type: 'InvalidPasswordException', message: policyMessage('Password must have numeric characters') };
  // Cognito's symbols: ^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + - and the space (which [\S]+ refuses anyway).
  if (policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password)) {
    return { type: 'InvalidPasswordException', message: policyMessage('Password must have symbol characters') };
  }
  return undefined;
}
