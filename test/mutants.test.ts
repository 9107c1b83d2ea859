import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../impl/mutants';
import { hunt } from '../properties/mutation';

/** The default check, as `sel4-spec check --seed 1` runs it (the fastpath both off and on). */
const DEFAULT = { seed: 1, runs: 100, steps: 200 } as const;

/**
 * How short a shrunk counterexample must be. CSpace bugs need a retype or two
 * (more when the generated trace ran them from a spawned thread's CSpace, whose
 * creation then stays in the trace); thread bugs need the threads, their
 * objects and their configuration first (four events per thread), then the IPC
 * that goes wrong.
 */
const NEEDS_THREADS = (name: string): boolean =>
  name.startsWith('fastpath-') ||
  ['badge-not-delivered', 'reply-cap-reusable', 'nbsend-blocks', 'bitmap-l1-left-set', 'queue-tail-not-updated', 'signal-overwrites-badge', 'cancel-leaves-thread-linked', 'switch-compares-wrong-way', 'timeslice-not-refilled'].includes(name);

describe('mutants: every deliberately broken kernel is caught by the default check', () => {
  it.each(MUTANTS.map((m) => [m.name, m.checker, m.description] as const))('%s (%s checker: %s)', (name) => {
    const m = MUTANTS.find((x) => x.name === name);
    if (m === undefined) throw new Error(`no mutant ${name}`);
    const h = hunt(m, DEFAULT);
    expect(h.caught).toBe(true);
    // The shrunk trace fails again with the mutant and passes without it.
    expect(h.replays).toBe(true);
    expect(h.shrunkLength).toBeLessThanOrEqual(NEEDS_THREADS(name) ? 50 : 24);
    expect(h.shrunkLength).toBeLessThanOrEqual(h.originalLength ?? 0);
  }, 180_000);

  it('there are at least 5 CSpace, 8 thread and 6 fastpath mutants', () => {
    const fast = MUTANTS.filter((m) => m.checker === 'fastpath').length;
    const threads = MUTANTS.filter((m) => m.checker === 'refinement' && NEEDS_THREADS(m.name)).length;
    const cspace = MUTANTS.filter((m) => m.checker === 'refinement' && !NEEDS_THREADS(m.name)).length;
    expect({ cspace: cspace >= 5, threads: threads >= 8, fast: fast >= 6 }).toEqual({ cspace: true, threads: true, fast: true });
  });
});
