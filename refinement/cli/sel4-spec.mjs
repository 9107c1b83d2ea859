#!/usr/bin/env node
// The sel4-spec command: runs the TypeScript sources through tsx, so the
// checked-out tree is what runs (no build step).
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main(process.argv.slice(2));
