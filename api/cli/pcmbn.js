#!/usr/bin/env node
// The `pcmbn` command. The project is TypeScript run through tsx's loader: no build step between a clone and a run.
// The project's tsconfig is named explicitly, so that decorators compile whatever the working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
await import('./main.ts');
