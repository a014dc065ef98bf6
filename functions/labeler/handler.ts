/** Labeler Lambda: triggered by s3:ObjectCreated on the uploads prefix. */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { requireEnv } from '../shared/env.ts';
import { labelImage, type LabelerDeps, type LabelOutcome } from './label-image.ts';
import { appSyncPublisher } from './publish.ts';
import { uploadedObjectFrom } from './uploaded-object.ts';

const logger = new Logger({ serviceName: 'labeler' });
const region = requireEnv('AWS_REGION');

const deps: LabelerDeps = {
  store: {
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: requireEnv('IMAGES_TABLE'),
  },
  rekognition: new RekognitionClient({}),
  publisher: appSyncPublisher({ graphqlUrl: requireEnv('APPSYNC_URL'), region }),
  logger,
};

export const handler = async (event: S3Event): Promise<LabelOutcome[]> => {
  const outcomes: LabelOutcome[] = [];
  for (const record of event.Records) {
    const object = uploadedObjectFrom(record);
    if (!object) {
      logger.warn('ignoring object outside the uploads prefix', { key: record.s3.object.key });
      continue;
    }
    outcomes.push(await labelImage(deps, object));
  }
  return outcomes;
};
