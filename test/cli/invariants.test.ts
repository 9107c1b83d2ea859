import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INVARIANT_NAMES } from '../../invariants/wellFormed';
import { expectRejected, jsonOf, runCli, tmp } from '../helpers/cli';

describe('--invariant NAME: the kernel invariants by name', () => {
  it('sel4-spec invariants lists them, one per line or as JSON', async () => {
    expect((await runCli('invariants')).stdout).toBe(INVARIANT_NAMES.map((n) => `${n}\n`).join(''));
    expect(jsonOf(await runCli('invariants', '--json'))).toEqual({ invariants: INVARIANT_NAMES });
  });

  it('a check with a selection says so, records it in its counterexample, and the replay checks the same', async () => {
    const dir = tmp();
    /** A quick check that catches a mutant, with these invariants named. */
    const checkNaming = (names: readonly string[]) =>
      runCli('check', '--seed', '1', '--runs', '5', '--steps', '30', '--mutant', 'bitmap-l1-left-set', ...names.flatMap((n) => ['--invariant', n]), '--out', dir, '--no-progress');
    const r = await checkNaming(['queuesWellFormed', 'cdtAcyclic']);
    expect(r.code).toBe(1);
    // Named in the invariants' own order, whatever the order given.
    expect(r.stdout).toMatch(/^sel4-spec check: seed 1, 5 runs of up to 30 steps, fastpath both, invariants cdtAcyclic, queuesWellFormed, mutants bitmap-l1-left-set\n/);
    const file = /trace written to (.*); replay/.exec(r.stdout)?.[1] as string;
    expect((JSON.parse(readFileSync(file, 'utf8')) as { invariants: unknown }).invariants).toEqual(['cdtAcyclic', 'queuesWellFormed']);
    expect((await runCli('replay', file)).code).toBe(1);
    // All of them named is all of them: the trace says true.
    const all = await checkNaming(INVARIANT_NAMES);
    expect(all.stdout).toContain('invariants on, mutants');
  }, 60_000);

  it('gives the same result in worker threads as in one', async () => {
    const args = ['check', '--seed', '3', '--runs', '8', '--steps', '40', '--invariant', 'cdtConsistent', '--json', '--no-timing', '--no-progress', '--out', tmp()];
    const one = jsonOf(await runCli(...args, '--workers', '1'));
    const two = jsonOf(await runCli(...args, '--workers', '2'));
    expect(two).toEqual(one);
    expect(one).toMatchObject({ ok: true, runs: 8 });
  }, 60_000);

  it('refuses an unknown name, a selection with --no-invariants, and a trace naming an unknown invariant', async () => {
    expectRejected(await runCli('check', '--invariant', 'noSuchInvariant'), /unknown invariant 'noSuchInvariant' \(see 'sel4-spec invariants'\)/);
    expectRejected(await runCli('check', '--invariant', 'cdtAcyclic', '--no-invariants'), /--invariant picks the invariants to check: leave out --no-invariants/);
    const f = join(tmp(), 'bad.trace.json');
    writeFileSync(f, JSON.stringify({ version: 1, events: [], invariants: ['cdtAcyclic', 'noSuchInvariant'] }));
    expectRejected(await runCli('replay', f), /invariants.*invariant names/);
  });
});
