/**
 * Calls the IAM-only publishImageLabeled mutation, signed with SigV4 as the
 * Lambda's role, so AppSync fans the image out on onImageLabeled.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { toPublicImage, type Image } from '../../api/types.ts';
import { PublishError } from './errors.ts';
import { NodeSha256 } from '../../api/node-sha256.ts';

// owner is selected so that AppSync's subscription filters can see it in the published payload.
const imageFields = `id status contentType sizeBytes fileName createdAt labeledAt error owner
  properties { quality { brightness sharpness contrast } dominantColors { red green blue hexCode cssColor simplifiedColor pixelPercent } }
  labels { name confidence parents aliases categories instances { confidence boundingBox { left top width height } } }
  moderationLabels { name confidence parents aliases categories instances { confidence boundingBox { left top width height } } }`;

export const publishImageLabeledMutation = `mutation PublishImageLabeled($input: ImageLabeledInput!) {
  publishImageLabeled(input: $input) { ${imageFields} }
}`;

/** Bounded well inside the push lease (functions/shared/image-push.ts), so a slow publish never outlives it. */
const publishTimeoutMs = 5000;


export interface Publisher {
  publish(image: Image): Promise<void>;
}

export function appSyncPublisher(args: { graphqlUrl: string; region: string }): Publisher {
  const url = new URL(args.graphqlUrl);
  const signer = new SignatureV4({ service: 'appsync', region: args.region, credentials: defaultProvider(), sha256: NodeSha256 });
  return {
    async publish(image) {
      const body = JSON.stringify({ query: publishImageLabeledMutation, variables: { input: toPublicImage(image) } });
      const request = new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      });
      const signed = await signer.sign(request);
      const response = await fetch(url, { method: 'POST', headers: signed.headers, body, signal: AbortSignal.timeout(publishTimeoutMs) });
      const text = await response.text();
      if (!response.ok) throw new PublishError(`publishImageLabeled answered HTTP ${response.status}: ${text}`);
      const result = JSON.parse(text) as { errors?: { message: string; errorType?: string }[] };
      if (result.errors?.length) {
        throw new PublishError(`publishImageLabeled failed: ${result.errors.map((e) => `${e.errorType}: ${e.message}`).join('; ')}`);
      }
    },
  };
}
