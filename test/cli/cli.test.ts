import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../../properties/mutants';
import { jsonOf, runCli, tmp } from '../helpers/cli';

describe('the sel4-spec command', () => {
  it('lists the mutants, one name per line with a description', async () => {
    const r = await runCli('mutants');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(MUTANTS.map((m) => m.name));
    expect(lines.every((l) => (l.split('\t')[1] ?? '').length > 10)).toBe(true);
  });

  it('check prints its seed first, passes, and --json puts one JSON object alone on stdout', async () => {
    const r = await runCli('check', '--seed', '3', '--runs', '5', '--steps', '60', '--json', '--no-progress', '--out', tmp());
    expect(r.code).toBe(0);
    const j = jsonOf(r);
    expect(j).toMatchObject({ ok: true, verdict: 'agree', seed: 3, runs: 5 });
    expect(typeof j['events']).toBe('number');
    expect(typeof j['seconds']).toBe('number');
    expect(typeof j['eventsPerSecond']).toBe('number');
    expect(j['coverage']).toMatchObject({ hit: expect.any(Number), known: expect.any(Number), pairs: expect.any(Array) });
    // The full coverage table: every known pair, reached or not.
    const pairs = (j['coverage'] as { pairs: Array<{ pair: string; count: number; known: boolean }>; known: number }).pairs;
    expect(pairs.filter((p) => p.known)).toHaveLength((j['coverage'] as { known: number }).known);
    expect(j['fastpath']).toMatchObject({
      mode: 'both',
      ipcs: expect.any(Number),
      hits: expect.any(Number),
      fallbacks: expect.any(Object),
    });
    expect(j['statistics']).toMatchObject({ callReplyRoundTrips: { runs: expect.any(Number), count: expect.any(Number) } });
    // The human report went to stderr, its first line naming the seed.
    expect(r.stderr.split('\n')[0]).toMatch(/^sel4-spec check: seed 3, 5 runs of up to 60 steps/);
    expect(r.stderr).toContain('what the traces did');
    expect(r.stderr).toMatch(/fastpath \(both\): \d+ of \d+ IPCs/);
  }, 60_000);

  it('check --fastpath off leaves the fastpath out of the run and the summary', async () => {
    const r = await runCli('check', '--seed', '3', '--runs', '3', '--steps', '40', '--fastpath', 'off', '--json', '--no-progress', '--out', tmp());
    expect(r.code).toBe(0);
    expect(jsonOf(r)['fastpath']).toBeNull();
    expect(r.stderr).not.toContain('fastpath (');
  }, 60_000);

  it('a fastpath mutant is caught with the default --fastpath both, and its trace replays in that mode', async () => {
    const r = await runCli('check', '--seed', '1', '--runs', '20', '--mutant', 'fastpath-reply-cap-kept', '--out', tmp(), '--json', '--no-progress');
    expect(r.code).toBe(1);
    const file = (jsonOf(r)['counterexample'] as { file: string }).file;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ fastpath: 'both', domainSchedule: expect.any(Array) });
    expect((await runCli('replay', file)).code).toBe(1);
  }, 120_000);

  it('a counterexample in --json names its kind, step, length, what it shrank from, the run it was found in and the differences', async () => {
    const r = await runCli('check', '--seed', '1', '--runs', '30', '--mutant', 'switch-compares-wrong-way', '--out', tmp(), '--json', '--no-progress');
    expect(r.code).toBe(1);
    const j = jsonOf(r);
    expect(j).toMatchObject({ ok: false, verdict: 'counterexample' });
    const c = j['counterexample'] as Record<string, unknown> & { failure: { differences: unknown[]; step: number; kind: string } };
    expect(c).toMatchObject({
      length: expect.any(Number),
      shrunkFrom: expect.any(Number),
      foundAtRun: expect.any(Number),
      reproduces: true,
      partial: false,
    });
    expect(c.failure.kind).toBe('divergence');
    expect(c.failure.step).toBe(c['length']);
    expect(c.failure.differences.length).toBeGreaterThan(0);
    expect(c.failure.differences[0]).toMatchObject({ path: expect.any(String), spec: expect.any(String), impl: expect.any(String) });
    // Time to the first failure is reported apart from shrinking.
    expect(j['secondsToFailure']).toEqual(expect.any(Number));
    expect(j['secondsShrinking']).toEqual(expect.any(Number));
    expect((j['secondsToFailure'] as number) + (j['secondsShrinking'] as number)).toBeCloseTo(j['seconds'] as number, 1);
    expect(r.stderr).toMatch(/COUNTEREXAMPLE: \d+ events \(shrunk from \d+\), found in run \d+ after [\d.]+ s, shrunk in [\d.]+ s/);
  }, 120_000);

  it('never overwrites a counterexample: the same failure twice gives two files', async () => {
    const dir = tmp();
    const args = ['check', '--seed', '1', '--runs', '30', '--mutant', 'switch-compares-wrong-way', '--out', dir, '--no-progress', '--no-timing'];
    expect((await runCli(...args)).code).toBe(1);
    expect((await runCli(...args)).code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['counterexample-seed-1-divergence-2.trace.json', 'counterexample-seed-1-divergence.trace.json']);
    expect(readFileSync(join(dir, 'counterexample-seed-1-divergence-2.trace.json'), 'utf8')).toBe(readFileSync(join(dir, 'counterexample-seed-1-divergence.trace.json'), 'utf8'));
  }, 120_000);

  it('mutants --hunt reports each hunted mutant as caught, with its shrunk length, and saves each counterexample', async () => {
    const dir = tmp();
    const r = await runCli(
      'mutants',
      '--hunt',
      '--only',
      'switch-compares-wrong-way',
      '--only',
      'bitmap-l1-left-set',
      '--runs',
      '30',
      '--json',
      '--no-timing',
      '--no-progress',
      '--out',
      dir,
    );
    expect(r.code).toBe(0);
    const j = jsonOf(r);
    expect(j).toMatchObject({ caught: 2, total: 2 });
    expect(j['mutants']).toEqual([
      // In catalogue order, whatever the order of --only.
      expect.objectContaining({
        name: 'bitmap-l1-left-set',
        caught: true,
        replays: true,
        shrunkLength: expect.any(Number),
        counterexample: expect.stringContaining('hunt-bitmap-l1-left-set-seed-1-'),
      }),
      expect.objectContaining({
        name: 'switch-compares-wrong-way',
        caught: true,
        replays: true,
        shrunkLength: expect.any(Number),
        counterexample: expect.stringContaining('hunt-switch-compares-wrong-way-seed-1-'),
      }),
    ]);
    for (const m of j['mutants'] as Array<{ counterexample: string }>) expect((await runCli('replay', m.counterexample)).code).toBe(1);
    expect(readdirSync(dir)).toHaveLength(2);
  }, 120_000);

  it('mutants --hunt exits 1 when a mutant survives, and reports time to catch apart from shrinking', async () => {
    // One run is too few for this one (it takes dozens).
    const r = await runCli(
      'mutants',
      '--hunt',
      '--only',
      'fastpath-ignores-receive-right',
      '--only',
      'copy-marked-revocable',
      '--runs',
      '1',
      '--json',
      '--no-progress',
      '--out',
      tmp(),
    );
    expect(r.code).toBe(1);
    const ms = jsonOf(r)['mutants'] as Array<{ name: string; caught: boolean; secondsToCatch: number; secondsShrinking: number }>;
    expect(ms.map((m) => [m.name, m.caught])).toEqual([
      ['copy-marked-revocable', true],
      ['fastpath-ignores-receive-right', false],
    ]);
    expect(ms[0]?.secondsToCatch).toEqual(expect.any(Number));
    expect(ms[0]?.secondsShrinking).toEqual(expect.any(Number));
    expect(r.stderr).toMatch(/1 of 2 mutants caught/);
  }, 120_000);

  it('bench compares the fastpath with the slow path in one run', async () => {
    const r = await runCli('bench', '--rounds', '300', '--check-runs', '2', '--scaling-rounds', '3', '--worker-runs', '2', '--json');
    expect(r.code).toBe(0);
    const j = jsonOf(r) as {
      fast: { fastpathHits: number; wordsPerIPC: number };
      slow: { wordsPerIPC: number };
      ratios: { words: number };
      seams: { asBuilt: number; allPatched: number; children: { pairs: number; asBuilt: number; compiledOut: number; ratio: number } | null };
    };
    expect(j.fast.fastpathHits).toBe(600);
    expect(j.ratios.words).toBeCloseTo(j.fast.wordsPerIPC / j.slow.wordsPerIPC, 10);
    expect(r.stderr).toMatch(/fastpath \/ slow path: [\d.]+x the speed, [\d.]+x the memory words/);
    // The seams were measured both ways: child processes with them compiled out ran (a failed child would leave null).
    expect(j.seams.children?.pairs).toBe(5);
    expect(j.seams.children?.compiledOut).toBeGreaterThan(0);
    expect(j.seams.allPatched).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/seams \(impl\/model\/seam\.ts\).*as built \/ compiled out [\d.]+x the speed \(mean of 5 pairs/);
    // The check's own figures, under the keys CI tracks.
    const c = j as unknown as Record<string, { eventsPerSecond: number }> & { scaling: Array<{ objects: number; eventsPerSecond: number }>; workers: Record<string, number> };
    for (const k of ['check', 'full', 'implAlone', 'specAlone']) expect(c[k]?.eventsPerSecond, k).toBeGreaterThan(0);
    expect(c.scaling.map((p) => p.objects)).toEqual([...c.scaling.map((p) => p.objects)].sort((a, b) => a - b));
    expect(c.scaling.at(-1)?.objects).toBeGreaterThan(1000);
    expect(c.scaling.every((p) => p.eventsPerSecond > 0)).toBe(true);
    expect(Object.keys(c.workers)).toEqual(['1', '2']);
    // The 2-worker figure comes with its yardsticks: the cores one thread keeps busy, and what a second core gives a fixed loop.
    const w = j as unknown as { workerRuns: number; coresBusyInOneThread: number; machine: { computeBound: number; memoryBound: number } };
    expect(w.workerRuns).toBe(2);
    // Figures of speed, so only their being measured is asserted, not their size (the machine's load moves them).
    for (const x of [w.coresBusyInOneThread, w.machine.computeBound, w.machine.memoryBound]) {
      expect(Number.isFinite(x)).toBe(true);
      expect(x).toBeGreaterThan(0);
    }
    expect(r.stderr).toMatch(/2 runs in 1 and in 2 worker threads: [\d,]+ and [\d,]+ events\/s; 2 workers \/ 1 [\d.]+x/);
    expect(r.stderr).toMatch(/this machine's second core gives a fixed loop [\d.]+x on registers, [\d.]+x over 8 MiB/);
    expect(r.stderr).toMatch(/cost per event against system size/);
  }, 120_000);

  it('gives the same output byte for byte for the same seed without timing figures', async () => {
    const args = ['check', '--seed', '11', '--runs', '6', '--steps', '80', '--no-timing', '--no-progress', '--coverage', '--out', tmp()];
    const a = await runCli(...args);
    const b = await runCli(...args);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  }, 60_000);

  it('gives the same counterexample byte for byte for the same seed (shrinking has a budget of runs, not of time)', async () => {
    const dirA = tmp();
    const dirB = tmp();
    const args = (dir: string) => ['check', '--seed', '1', '--runs', '30', '--mutant', 'switch-compares-wrong-way', '--out', dir, '--no-timing', '--no-progress'];
    const a = await runCli(...args(dirA));
    const b = await runCli(...args(dirB));
    expect(a.code).toBe(1);
    expect(b.stdout.split(dirB).join('DIR')).toBe(a.stdout.split(dirA).join('DIR'));
    const name = 'counterexample-seed-1-divergence.trace.json';
    expect(readFileSync(join(dirB, name), 'utf8')).toBe(readFileSync(join(dirA, name), 'utf8'));
  }, 120_000);

  it('writes a counterexample trace for a mutant (exit 1) that replay reproduces (exit 1)', async () => {
    const dir = tmp();
    const r = await runCli('check', '--seed', '1', '--runs', '100', '--mutant', 'retype-ignores-alignment', '--out', dir, '--json', '--no-progress');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('COUNTEREXAMPLE');
    const file = (jsonOf(r)['counterexample'] as { file: string }).file;
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    expect(trace).toMatchObject({ version: 1, seed: 1, mutants: ['retype-ignores-alignment'] });
    const replay = await runCli('replay', file);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/divergence after step \d+/);
    const replayJson = await runCli('replay', file, '--json');
    expect(jsonOf(replayJson)).toMatchObject({ ok: false, failure: { kind: 'divergence', step: expect.any(Number) } });
    // The same events agree once the bug is gone.
    const clean = join(dir, 'clean.trace.json');
    writeFileSync(clean, JSON.stringify({ ...trace, mutants: [] }));
    expect((await runCli('replay', clean)).code).toBe(0);
  }, 120_000);

  it('says in the verdict how many events were not modelled, and --strict makes them a counterexample that replays', async () => {
    const lax = await runCli('check', '--seed', '16', '--runs', '20', '--no-progress', '--json', '--out', tmp());
    expect(lax.code).toBe(0);
    const nm = jsonOf(lax)['notModelled'] as { events: number; runs: number; byOutcome: Record<string, number> };
    expect(nm.events).toBeGreaterThan(0);
    expect(lax.stderr).toMatch(new RegExp(`not modelled \\(passed unchecked\\): ${nm.events} events? in ${nm.runs} runs?: `));
    expect(lax.stderr).toMatch(
      /^OK: the spec and the concrete kernel agree after every event, but \d+ events? in \d+ runs? (was|were) not modelled and passed unchecked \(--strict fails them\)\.$/m,
    );
    const strict = await runCli('check', '--seed', '16', '--runs', '20', '--no-progress', '--json', '--strict', '--out', tmp());
    expect(strict.code).toBe(1);
    const c = jsonOf(strict)['counterexample'] as { file: string; length: number; failure: { kind: string } };
    expect(c.failure.kind).toBe('not-modelled');
    expect(c.length).toBeLessThanOrEqual(3);
    expect(JSON.parse(readFileSync(c.file, 'utf8'))).toMatchObject({ strict: true });
    expect((await runCli('replay', c.file)).code).toBe(1);
    // Without --strict the same trace passes, and the verdict says what went unchecked.
    const lenient = join(tmp(), 'lenient.trace.json');
    writeFileSync(lenient, JSON.stringify({ ...JSON.parse(readFileSync(c.file, 'utf8')), strict: false }));
    const r = await runCli('replay', lenient);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/agree after every event, but 1 event was not modelled/);
  }, 120_000);
});
