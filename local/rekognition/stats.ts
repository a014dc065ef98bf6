/**
 * Not an AWS API: the local Rekognition counts the calls it serves per
 * operation and answers them, unsigned, on `GET /_labelcast/stats`, so tests
 * can prove what did not call Rekognition (e.g. a re-upload of the same bytes).
 */
export const statsPath = '/_labelcast/stats';

/** Calls served per operation, e.g. { DetectLabels: 3, DetectModerationLabels: 3 }. */
export type RekognitionStats = Record<string, number>;
