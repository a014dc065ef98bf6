/**
 * The e2e parts that need a stack no other file touches, one after the other on one stack of their own
 * (tests/e2e/isolated/stack.ts), beside the other files: image properties on (a setting of the stack's start),
 * Rekognition's faults (stack-wide, with exact counts), and the gallery's restart race (the stack stops and
 * starts again on fixed ports). One stack for the three rather than one each: a stack's start and its Lambda
 * hosts cost about 6 CPU-s, and the parts need nothing from each other but to run apart from the other files.
 *
 * The stack's hooks are imported first, so that they wrap every part; the parts run in the order imported here
 * (the gallery's restart last).
 */
import './isolated/stack.ts';
import './isolated/image-properties.ts';
import './isolated/rekognition-faults.ts';
import './isolated/gallery-restart.ts';
