/**
 * What only a real process shows: the seed before any run, a partial summary
 * on SIGINT and SIGTERM (exit 130, 143), progress lines in a log, and
 * standard streams that are closed or full.
 */
import { spawn, spawnSync } from 'node:child_process';
import { openSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, MAX_LINE, spawnCli, tmp } from '../helpers/cli';

interface Interrupted {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly firstLine: string;
}

/** Start the command, send `signal` `delayMs` after `ready` holds of what it printed so far, and collect its output. */
const interruptWhen = (args: string[], ready: (stdout: string, stderr: string) => boolean, signal: NodeJS.Signals, delayMs = 0): Promise<Interrupted> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const look = () => {
      if (sent || !ready(stdout, stderr)) return;
      sent = true;
      setTimeout(() => child.kill(signal), delayMs);
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      look();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      look();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, firstLine: stdout.split('\n')[0] ?? '' }));
  });

const firstLineOut = (stdout: string): boolean => stdout.includes('\n');

describe('the sel4-spec process', () => {
  it('with the kernel seams compiled out (the benchmark child) it refuses to check: exit 2, one line', () => {
    const env = { ...process.env, SEL4_SPEC_SEAMS: 'off' };
    for (const args of [
      ['check', '--runs', '1'],
      ['mutants', '--hunt', '--only', 'nbsend-blocks'],
    ]) {
      const r = spawnCli(args, { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^sel4-spec: SEL4_SPEC_SEAMS=off compiles the kernel seams out, for the benchmark only/);
      expect(r.stdout).toBe('');
    }
    expect(spawnCli(['bench', '--kernel-alone', '--rounds', '10'], { env }).code).toBe(0);
  });

  it('prints the seed it drew before any run, and on SIGINT a partial summary with that seed (exit 130)', async () => {
    const r = await interruptWhen(['check', '--runs', '100000', '--no-progress', '--out', tmp()], firstLineOut, 'SIGINT', 1500);
    expect(r.firstLine).toMatch(/^sel4-spec check: seed \d+, 100000 runs of up to 200 steps/);
    const seed = /seed (\d+)/.exec(r.firstLine)?.[1];
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(new RegExp(`INTERRUPTED by SIGINT after \\d+ of 100000 runs \\(\\d+ events\\); seed ${seed}: run again with --seed ${seed}`));
    // The summary of what did run is there too.
    expect(r.stdout).toMatch(/coverage: \d+ of \d+ known/);
    expect(r.stderr).toMatch(/SIGINT received: stopping after the current run/);
  }, 60_000);

  it('on SIGTERM (a CI timeout) exits 143 with the partial summary, in --json as one object', async () => {
    const r = await interruptWhen(['check', '--seed', '5', '--runs', '100000', '--no-progress', '--json', '--out', tmp()], (_o, e) => e.includes('\n'), 'SIGTERM', 2500);
    expect(r.code).toBe(143);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(j).toMatchObject({ ok: false, verdict: 'interrupted', interrupted: 'SIGTERM', seed: 5 });
    expect(j['runs']).toBeGreaterThan(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^sel4-spec check: seed 5/);
  }, 60_000);

  it('an interrupt while shrinking still saves the failing trace found so far, which replays', async () => {
    const dir = tmp();
    const r = await interruptWhen(
      ['check', '--seed', '1', '--runs', '100', '--mutant', 'reset-skips-zeroing', '--progress-every', '1', '--out', dir],
      (_o, e) => /progress: shrinking/.test(e),
      'SIGINT',
    );
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/COUNTEREXAMPLE: \d+ events \(shrunk from \d+\), found in run \d+ .*; shrinking was interrupted, so it may not be minimal/);
    const file = /trace written to (\S+);/.exec(r.stdout)?.[1] ?? '';
    expect(spawnCli(['replay', file]).code).toBe(1);
  }, 60_000);

  it('without a terminal, progress is a line every few seconds on stderr, during the runs and during shrinking', () => {
    const r = spawnCli(['check', '--seed', '1', '--runs', '100', '--mutant', 'revoke-misses-grandchildren', '--progress-every', '1', '--out', tmp()]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('progress: '));
    expect(lines.some((l) => /^progress: run \d+ of 100 \[[^\]]*\] \d+ events, \d+s$/.test(l))).toBe(true);
    expect(lines.some((l) => /^progress: shrinking the \w[\w-]* found in run \d+: \d+ events \(from \d+\), \d+ candidates tried, \d+s$/.test(l))).toBe(true);
    // Nothing of it reaches stdout, which stays deterministic.
    expect(r.stdout).not.toContain('progress:');
  }, 120_000);

  it('a full disk on stdout is one line on stderr and exit 2, not a stack trace', () => {
    const r = spawnCli(['mutants'], { stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'] });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^sel4-spec: cannot write to standard output: ENOSPC/)]);
    expect(lines[0]?.length).toBeLessThanOrEqual(MAX_LINE);
  }, 30_000);

  it('a counterexample that cannot be saved (a file size limit) is still a counterexample (exit 1): one line says so, no partial file, --json carries the trace', () => {
    const dir = tmp();
    const r = spawnSync('bash', ['-c', `ulimit -f 1; node ${CLI} check --mutant switch-compares-wrong-way --seed 1 --runs 20 --no-progress --json --out ${dir} 2>/dev/null`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as { counterexample: { file?: string; trace: { version: number; events: unknown[] } } };
    expect(j.counterexample.file).toBeUndefined();
    expect(j.counterexample.trace).toMatchObject({ version: 1, events: expect.any(Array) });
    expect(readdirSync(dir)).toEqual([]);
    const human = spawnSync('bash', ['-c', `ulimit -f 1; node ${CLI} check --mutant switch-compares-wrong-way --seed 1 --runs 20 --no-progress --out ${dir} >/dev/null`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(human.status).toBe(1);
    expect(human.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^sel4-spec: cannot write '.*counterexample-seed-1-divergence\.trace\.json': file too large .*\(EFBIG\)$/),
    ]);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('stdout closed under a command still running is exit 141 (never 0 for work cut short); after it finished, its own code', () => {
    const sh = (script: string) => spawnSync('bash', ['-c', `set -o pipefail; ${script}`], { encoding: 'utf8', timeout: 60_000 });
    const cut = sh(`node ${CLI} mutants --hunt --only bitmap-l1-left-set --only switch-compares-wrong-way --only nbsend-blocks --no-progress --no-timing --out ${tmp()} | head -1`);
    expect(cut.status).toBe(141);
    expect(cut.stdout).toMatch(/^sel4-spec mutants --hunt: seed 1/);
    const whole = sh(`node ${CLI} mutants | head -1`);
    expect(whole.status).toBe(0);
  }, 60_000);

  it('an interrupted hunt says which mutant it did not finish, and counts only the ones it did (exit 130)', async () => {
    const r = await interruptWhen(
      ['mutants', '--hunt', '--only', 'bitmap-l1-left-set', '--only', 'fastpath-ignores-bound-notification', '--progress-every', '1', '--out', tmp()],
      (_o, e) => /progress: fastpath-ignores-bound-notification: /.test(e),
      'SIGINT',
    );
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/bitmap-l1-left-set\s+refinement yes/);
    expect(r.stdout).toMatch(/fastpath-ignores-bound-notification\s+fastpath\s+interrupted/);
    expect(r.stdout).toMatch(/^1 of 1 mutants caught/m);
    expect(r.stdout).toMatch(/INTERRUPTED by SIGINT after 1 of 2 mutants; seed 1/);
  }, 60_000);

  it('a closed stdout or stderr does not crash the command', () => {
    const sh = (script: string) => spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
    const closedOut = sh(`node ${CLI} replay /no/such/file >&-`);
    expect(closedOut.status).toBe(2);
    expect(closedOut.stderr).toMatch(/^sel4-spec: cannot read '\/no\/such\/file': no such file/);
    const closedErr = sh(`node ${CLI} replay /no/such/file 2>&-`);
    expect(closedErr.status).toBe(2);
    expect(closedErr.stdout).toBe('');
    const bothClosed = sh(`node ${CLI} mutants >&- 2>&-; echo "exit $?"`);
    expect(bothClosed.stdout).toBe('exit 0\n');
  }, 30_000);

  it('a closed pipe on stdout (| head) ends the command quietly', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${CLI} mutants | head -1`], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toMatch(/^lookup-ignores-guard\t/);
    expect(r.stderr).toBe('');
  }, 30_000);
});
