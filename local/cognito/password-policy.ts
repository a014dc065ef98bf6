/**
 * The password checks Cognito applies at SignUp: the Password parameter's own constraints (at most 256
 * characters, no whitespace: an InvalidParameterException), then the pool's policy (api/user-pool-settings.ts,
 * the one infra deploys: an InvalidPasswordException naming the first rule broken, in Cognito's words).
 */
import type { UserPoolPasswordPolicy } from '../../api/user-pool-settings.ts';

export type PasswordProblem = { readonly type: 'InvalidParameterException' | 'InvalidPasswordException'; readonly message: string };

const policyMessage = (rule: string) => `Password did not conform with policy: ${rule}`;

/** What is wrong with `password` under `policy`, or undefined when Cognito would take it. */
export function passwordProblem(password: string, policy: UserPoolPasswordPolicy): PasswordProblem | undefined {
  if (password.length > 256 || !/^\S+$/.test(password)) {
    return {
      type: 'InvalidParameterException',
      message: "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+ and have length less than or equal to 256",
    };
  }
  if ([...password].length < policy.minLength) return { type: 'InvalidPasswordException', message: policyMessage('Password not long enough') };
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) return { type: 'InvalidPasswordException', message: policyMessage('Password must have lowercase characters') };
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) return { type: 'InvalidPasswordException', message: policyMessage('Password must have uppercase characters') };
  if (policy.requireDigits && !/[0-9]/.test(password)) return { type: 'InvalidPasswordException', message: policyMessage('Password must have numeric characters') };
  // Cognito's symbols: ^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + - and the space (which [\S]+ refuses anyway).
  if (policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password)) {
    return { type: 'InvalidPasswordException', message: policyMessage('Password must have symbol characters') };
  }
  return undefined;
}
