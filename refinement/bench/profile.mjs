#!/usr/bin/env node
// `npm run profile`: profile a default check (seed 3, 30 runs) with V8's CPU profiler and print the top of it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const dir = mkdtempSync(join(tmpdir(), 'sel4-spec-profile-'));
const cli = fileURLToPath(new URL('../cli/sel4-spec.mjs', import.meta.url));
const args = process.argv.slice(2);
const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, cli, 'check', '--seed', '3', '--runs', '30', '--no-progress', ...args], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (run.status !== 0) process.exit(run.status ?? 1);
register();
const { profileReport } = await import('./profileTop.ts');
for (const line of profileReport(dir)) process.stdout.write(`${line}\n`);
