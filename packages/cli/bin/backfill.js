#!/usr/bin/env node
// The sources are TypeScript run through tsx, so that the workspace needs no
// build step before its first command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main(process.argv.slice(2));
