/**
 * The deployment's HMAC key for completion callbacks: a Secrets Manager
 * secret CloudFormation generates. The functions whose access reads it
 * (api/access.ts: labeler, labeling-failed, reconciler) get it as
 * CALLBACK_SECRET (infra/function-access.ts).
 *
 * The value reaches the functions as a CloudFormation dynamic reference, so it
 * is never in the template or the asset; it is in the functions' environment
 * (encrypted at rest, readable to whoever may read their configuration).
 */
import { RemovalPolicy } from 'aws-cdk-lib/core';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface CallbackSecretProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class CallbackSecret extends Construct {
  public readonly secret: Secret;

  public constructor(scope: Construct, id: string, props: CallbackSecretProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'HMAC-SHA256 key that signs labelcast completion callbacks (X-Labelcast-Signature)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
