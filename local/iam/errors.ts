/**
 * The errors the local IAM defines, with one base class. A refused request
 * is not among them: it is an answer each service words itself
 * (json-service-errors.ts, and S3's XML in ../s3/errors.ts).
 *
 * | error                  | retryable | when                                                            |
 * | ---------------------- | --------- | --------------------------------------------------------------- |
 * | UnsupportedPolicyError | no        | a policy, at load, that this evaluator cannot judge faithfully |
 */
import { LocalError } from '../errors.ts';

/** Base class of every error the local IAM defines. */
export abstract class LocalIamError extends LocalError {}

/** Thrown at load for a policy this evaluator cannot judge faithfully. */
export class UnsupportedPolicyError extends LocalIamError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('UnsupportedPolicyError', message);
  }
}
