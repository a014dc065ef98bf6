/**
 * The deployment's HMAC key for completion callbacks: a Secrets Manager
 * secret CloudFormation generates, handed to the functions that end images
 * (labeler, labeling-failed, reconciler) as CALLBACK_SECRET.
 *
 * The value reaches the functions as a CloudFormation dynamic reference, so it
 * is never in the template or the asset; it is in the functions' environment
 * (encrypted at rest, readable to whoever may read their configuration).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CallbackSettings } from '../api/callback.ts';

export interface CallbackSecretProps {
  /** The functions that send callbacks. */
  readonly senders: readonly LambdaFunction[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class CallbackSecret extends Construct {
  public readonly secret: Secret;

  public constructor(scope: Construct, id: string, props: CallbackSecretProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'HMAC-SHA256 key that signs labelcast completion callbacks (X-Labelcast-Signature)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const sender of props.senders) {
      sender.addEnvironment(CallbackSettings.secretVariable, this.secret.secretValue.unsafeUnwrap());
    }
  }
}
