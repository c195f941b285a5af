// The parse worker's entry when pcmbn runs from its TypeScript sources (tests, tsx): a loader registered in the
// main thread does not reach a worker thread, so tsx's is registered here, with the project's tsconfig, as
// api/cli/pcmbn.js does for the main thread. The compiled bundle starts dist/parse-worker.js instead.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
await import('./parse-worker.ts');
