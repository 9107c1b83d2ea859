import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../../impl/mutants';

const CLI = join(__dirname, '../../refinement/cli/sel4-spec.mjs');
const sel4spec = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const lastJSON = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
const tmp = () => mkdtempSync(join(tmpdir(), 'sel4-spec-'));

describe('the sel4-spec command', () => {
  it('lists the mutants, one name per line with a description', () => {
    const r = sel4spec('mutants');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(MUTANTS.map((m) => m.name));
    expect(lines.every((l) => (l.split('\t')[1] ?? '').length > 10)).toBe(true);
  });

  it('check passes, and --json ends with one JSON object with the summary fields', () => {
    const r = sel4spec('check', '--seed', '3', '--runs', '5', '--steps', '60', '--json', '--no-progress');
    expect(r.code).toBe(0);
    const j = lastJSON(r.stdout);
    expect(j).toMatchObject({ ok: true, seed: 3, runs: 5 });
    expect(typeof j['events']).toBe('number');
    expect(typeof j['seconds']).toBe('number');
    expect(typeof j['eventsPerSecond']).toBe('number');
    expect(j['coverage']).toMatchObject({ hit: expect.any(Number), known: expect.any(Number) });
    expect(j['fastpath']).toMatchObject({ mode: 'both', ipcs: expect.any(Number), hits: expect.any(Number), fallbacks: expect.any(Object) });
    expect(j['statistics']).toMatchObject({ callReplyRoundTrips: { runs: expect.any(Number), count: expect.any(Number) } });
    expect(r.stdout).toContain('what the traces did');
    expect(r.stdout).toMatch(/fastpath \(both\): \d+ of \d+ IPCs/);
  }, 60_000);

  it('check --fastpath off leaves the fastpath out of the run and the summary', () => {
    const r = sel4spec('check', '--seed', '3', '--runs', '3', '--steps', '40', '--fastpath', 'off', '--json', '--no-progress');
    expect(r.code).toBe(0);
    expect(lastJSON(r.stdout)['fastpath']).toBeNull();
    expect(r.stdout).not.toContain('fastpath (');
  }, 60_000);

  it('a fastpath mutant is caught with the default --fastpath both, and its trace replays in that mode', () => {
    const dir = tmp();
    const r = sel4spec('check', '--seed', '1', '--runs', '20', '--mutant', 'fastpath-reply-cap-kept', '--out', dir, '--json', '--no-progress');
    expect(r.code).toBe(1);
    const file = lastJSON(r.stdout)['counterexample'] as string;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ fastpath: 'both', domainSchedule: expect.any(Array) });
    expect(sel4spec('replay', file).code).toBe(1);
  }, 120_000);

  it('mutants --hunt reports each hunted mutant as caught, with its shrunk length', () => {
    const r = sel4spec('mutants', '--hunt', '--only', 'nbsend-blocks', '--only', 'lookup-ignores-guard', '--runs', '30', '--json', '--no-timing');
    expect(r.code).toBe(0);
    const j = lastJSON(r.stdout);
    expect(j).toMatchObject({ caught: 2, total: 2 });
    expect(j['mutants']).toEqual([
      // In catalogue order, whatever the order of --only.
      expect.objectContaining({ name: 'lookup-ignores-guard', caught: true, replays: true, shrunkLength: expect.any(Number) }),
      expect.objectContaining({ name: 'nbsend-blocks', caught: true, replays: true, shrunkLength: expect.any(Number) }),
    ]);
  }, 120_000);

  it('bench compares the fastpath with the slow path in one run', () => {
    const r = sel4spec('bench', '--rounds', '300', '--json');
    expect(r.code).toBe(0);
    const j = lastJSON(r.stdout) as { fast: { fastpathHits: number; wordsPerIPC: number }; slow: { wordsPerIPC: number }; ratios: { words: number } };
    expect(j.fast.fastpathHits).toBe(600);
    expect(j.ratios.words).toBeCloseTo(j.fast.wordsPerIPC / j.slow.wordsPerIPC, 10);
    expect(r.stdout).toMatch(/fastpath \/ slow path: [\d.]+x the speed, [\d.]+x the memory words/);
  }, 60_000);

  it('gives the same output byte for byte for the same seed without timing figures', () => {
    const args = ['check', '--seed', '11', '--runs', '6', '--steps', '80', '--no-timing', '--no-progress', '--coverage', '--json'];
    const a = sel4spec(...args);
    const b = sel4spec(...args);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  }, 60_000);

  it('gives the same counterexample byte for byte for the same seed (shrinking has a budget of runs, not of time)', () => {
    const dir = tmp();
    const args = ['check', '--seed', '1', '--runs', '30', '--mutant', 'nbsend-blocks', '--out', dir, '--no-timing', '--no-progress'];
    const a = sel4spec(...args);
    const fileA = readFileSync(join(dir, 'counterexample-seed-1.trace.json'), 'utf8');
    const b = sel4spec(...args);
    expect(a.code).toBe(1);
    expect(b.stdout).toBe(a.stdout);
    expect(readFileSync(join(dir, 'counterexample-seed-1.trace.json'), 'utf8')).toBe(fileA);
  }, 120_000);

  it('writes a counterexample trace for a mutant (exit 1) that replay reproduces (exit 1)', () => {
    const dir = tmp();
    const r = sel4spec('check', '--seed', '1', '--runs', '100', '--mutant', 'mint-keeps-old-badge', '--out', dir, '--json', '--no-progress');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('COUNTEREXAMPLE');
    const file = lastJSON(r.stdout)['counterexample'] as string;
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    expect(trace).toMatchObject({ version: 1, seed: 1, mutants: ['mint-keeps-old-badge'] });
    const replay = sel4spec('replay', file);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/divergence after step \d+/);
    // The same events agree once the bug is gone.
    const clean = join(dir, 'clean.trace.json');
    writeFileSync(clean, JSON.stringify({ ...trace, mutants: [] }));
    expect(sel4spec('replay', clean).code).toBe(0);
  }, 120_000);

  it.each([
    [['check', '--frob'], /unknown option '--frob'/],
    [['check', '--runs', 'many'], /--runs must be an integer, got 'many'/],
    [['check', '--runs', '0'], /--runs must be between 1/],
    [['check', '--mutant', 'no-such-bug'], /unknown mutant 'no-such-bug'/],
    [['check', '--fastpath', 'sometimes'], /--fastpath must be one of off, on, both, got 'sometimes'/],
    [['bench', '--rounds', '-3'], /--rounds must be between 1/],
    [['mutants', '--hunt', '--only', 'nope'], /unknown mutant 'nope'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['replay'], /missing required argument 'file'/],
    [['replay', '/no/such/file.json'], /cannot read \/no\/such\/file.json: ENOENT/],
  ])('rejects %j with one line and exit 2', (args, message) => {
    const r = sel4spec(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\s+at\s/);
  }, 30_000);

  it.each([
    ['not JSON', '{"version": 1,', /bad\.trace\.json: not valid JSON/],
    ['a wrong version', '{"version": 7, "events": []}', /version: expected 1, got 7/],
    ['an unknown event kind', '{"version": 1, "events": [{"kind": "warp"}]}', /events\[0\]\.kind: expected one of syscall/],
    ['a float register', '{"version": 1, "events": [{"kind": "tick"}, {"kind": "syscall", "sysno": -1, "mrs": [1, 0.5]}]}', /events\[1\]\.mrs\[1\]: expected an integer register word, got 0\.5/],
    ['too many extra caps', '{"version": 1, "events": [{"kind": "syscall", "sysno": -1, "caps": [1, 2, 3, 4]}]}', /events\[0\]\.caps: expected at most 3 extra caps/],
    ['an unknown mutant', '{"version": 1, "events": [], "mutants": ["nope"]}', /mutants: unknown mutant 'nope'/],
    ['a bad fastpath mode', '{"version": 1, "events": [], "fastpath": "maybe"}', /fastpath: expected/],
    ['a bad domain schedule length', '{"version": 1, "events": [], "domainSchedule": [{"domain": 0, "length": "ten"}]}', /domainSchedule\[0\]\.length: expected a decimal string of ticks/],
  ])('replay rejects a trace file with %s (exit 2, one line naming where)', (_what, text, message) => {
    const f = join(tmp(), 'bad.trace.json');
    writeFileSync(f, text);
    const r = sel4spec('replay', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
