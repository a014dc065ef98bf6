/**
 * The labeler calls Rekognition's DetectLabels and DetectModerationLabels in
 * the stack's own region, so the stack may only go where both exist.
 *
 * From "Amazon Rekognition endpoints and quotas" (AWS General Reference,
 * https://docs.aws.amazon.com/general/latest/gr/rekognition.html, read
 * 2026-11): every region with a Rekognition endpoint, less Canada (Central),
 * which serves face operations only. Israel (Tel Aviv) serves label detection
 * and moderation. Update this list when AWS adds a region.
 */
export const rekognitionLabelRegions = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-5',
  'ap-southeast-7',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-south-2',
  'il-central-1',
  'sa-east-1',
  'us-gov-west-1',
] as const;

export class UnsupportedRegionError extends Error {
  public constructor(public readonly region: string) {
    super(
      `Rekognition DetectLabels and DetectModerationLabels are not available in ${region}, so the labeler cannot run there. ` +
        `Deploy to one of: ${rekognitionLabelRegions.join(', ')} (AWS_REGION, or your profile's region).`,
    );
    this.name = 'UnsupportedRegionError';
  }
}

/** Throws UnsupportedRegionError for a region without Rekognition label detection; undefined (not known at synth) passes. */
export function checkRekognitionRegion(region: string | undefined): void {
  if (region === undefined || region === '') return;
  if (!(rekognitionLabelRegions as readonly string[]).includes(region)) throw new UnsupportedRegionError(region);
}
