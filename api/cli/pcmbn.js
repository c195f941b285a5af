#!/usr/bin/env node
// `pcmbn` from the TypeScript sources as they are, through tsx's loader: what the tests run, so that they never test
// a stale build. The installed command is the compiled `dist/pcmbn.js` (`npm run build`, run by `npm ci`), which
// starts without compiling anything. The project's tsconfig is named explicitly, so that decorators compile
// whatever the working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
await import('./main.ts');
