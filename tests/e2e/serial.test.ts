/**
 * The e2e parts that change what the whole stack shows, one after the other on a stack of their own
 * (tests/support/local-stack-setup.ts starts it beside the shared one): stack-wide hooks (DynamoDB
 * throttling, the reconciler failing every stale PENDING image, Rekognition's call counters), exact views
 * of the API-key callers' space (catalog counts, "newest first" at the top of the library, owner's API-key
 * watcher expecting its one upload), and the fuzzer, which holds hundreds of sockets on every port.
 * Rekognition's faults, mostly waiting out backoffs and redeliveries, run beside this chain on a stack of
 * their own (tests/e2e/isolated/rekognition-faults.ts, a part of tests/e2e/isolated.test.ts).
 *
 * One file, so that vitest runs the parts in order in one worker while the other e2e and unit files run
 * beside it (vitest runs a project of one worker only after every other project's files). Each part is
 * collected before the first runs: a part points Amplify at the stack (and its own token provider) in its
 * first beforeAll, never in module code. The parts run in the order imported here.
 */
import './serial/fuzz.ts';
import './serial/dynamodb-throttling.ts';
import './serial/reconciler.ts';
import './serial/dedupe.ts';
import './serial/search.ts';
import './serial/delete.ts';
import './serial/gallery.ts';
import './serial/owner.ts';
