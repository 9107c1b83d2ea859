/**
 * Running the command line in a test: in process (fast: hundreds of inputs),
 * or as a real process (for what only a process has: its exit, its signals,
 * its closed or full standard streams).
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { run } from '../../refinement/cli/main';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const CLI = join(__dirname, '../../refinement/cli/sel4-spec.mjs');

/** The command line in this process, its output captured. */
export const runCli = async (...args: string[]): Promise<CliResult> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join(''), stderr: err.join('') };
};

/** The command line as its own process. */
export const spawnCli = (args: readonly string[], opts: SpawnSyncOptions = {}): CliResult => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, ...opts });
  return { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
};

export const tmp = (): string => mkdtempSync(join(tmpdir(), 'sel4-spec-'));

/** The longest error line the tool may print. */
export const MAX_LINE = 300;

/** Bad input: exit 2, one line on stderr naming what is wrong, bounded, no stack trace, nothing on stdout. */
export const expectRejected = (r: CliResult, message: RegExp): void => {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]?.length ?? 0).toBeLessThanOrEqual(MAX_LINE);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).toBe('');
};

/** The one JSON object of --json. */
export const jsonOf = (r: CliResult): Record<string, unknown> => {
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
};
