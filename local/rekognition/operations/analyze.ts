/** Runs the vision engine on a resolved image and maps its refusals onto Rekognition errors. */
import { ImageDecodeError, ImageProblem } from '../engine/decode.ts';
import type { VisionEngine } from '../engine/engine.ts';
import type { AnalysisTasks, ImageAnalysis } from '../engine/messages.ts';
import { RekognitionError, RekognitionErrorCode, RekognitionErrorMessage } from '../errors.ts';

export async function analyzeImage(engine: VisionEngine, bytes: Uint8Array, tasks: AnalysisTasks): Promise<ImageAnalysis> {
  try {
    // Requests that arrive while the models load wait for them.
    await engine.ready;
    return await engine.analyze(bytes, tasks);
  } catch (error) {
    if (error instanceof ImageDecodeError) {
      throw error.problem === ImageProblem.tooLarge
        ? new RekognitionError(RekognitionErrorCode.imageTooLarge, RekognitionErrorMessage.imageTooLarge, { cause: error })
        : new RekognitionError(RekognitionErrorCode.invalidImageFormat, RekognitionErrorMessage.invalidImageFormat, { cause: error });
    }
    throw new RekognitionError(RekognitionErrorCode.internalServerError, 'Internal server error', { cause: error });
  }
}
