/** Runs the vision engine on a resolved image and maps its refusals onto Rekognition errors. */
import type { VisionEngine } from '../engine/engine.ts';
import type { AnalysisTasks, ImageAnalysis } from '../engine/messages.ts';
import { ImageDecodeError, ImageProblem, RekognitionError, RekognitionErrorCode, RekognitionErrorMessage, invalidParameter } from '../errors.ts';

/** Rekognition's answer to each reason the engine refuses an image. */
function refusal(error: ImageDecodeError): RekognitionError {
  switch (error.problem) {
    case ImageProblem.tooLarge:
      return new RekognitionError(RekognitionErrorCode.imageTooLarge, RekognitionErrorMessage.imageTooLarge, { cause: error });
    case ImageProblem.dimensionsTooLarge:
      // Rekognition names the dimensions (decode.ts words it as it does).
      return new RekognitionError(RekognitionErrorCode.imageTooLarge, error.message, { cause: error });
    case ImageProblem.dimensionsTooSmall:
      // Rekognition gives no detail here, only its generic InvalidParameterException.
      return invalidParameter();
    case ImageProblem.invalidFormat:
      return new RekognitionError(RekognitionErrorCode.invalidImageFormat, RekognitionErrorMessage.invalidImageFormat, { cause: error });
  }
}

export async function analyzeImage(engine: VisionEngine, bytes: Uint8Array, tasks: AnalysisTasks): Promise<ImageAnalysis> {
  try {
    // Requests that arrive while the models load wait for them.
    await engine.ready;
    return await engine.analyze(bytes, tasks);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw refusal(error);
    throw internalError(error);
  }
}

/** What a client sees of a failure of ours: Rekognition's InternalServerError, the cause kept for the log only. */
export const internalError = (cause: unknown): RekognitionError =>
  new RekognitionError(RekognitionErrorCode.internalServerError, 'Internal server error', { cause });
