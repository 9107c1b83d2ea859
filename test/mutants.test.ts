import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../impl/mutants';
import { checkRefinement } from '../properties/refinement';
import { runTrace } from '../refinement/run';

/** The default check, as `sel4-spec check --seed 1` runs it. */
const DEFAULT = { seed: 1, runs: 100, steps: 200 } as const;

/** Mutants in IPC and the scheduler need threads in the generated traces (see the threads issue). */
const NEEDS_THREADS = new Set(['badge-not-delivered', 'reply-cap-reusable', 'bitmap-l1-left-set', 'queue-tail-not-updated', 'signal-overwrites-badge', 'cancel-leaves-thread-linked']);
const refinementMutants = MUTANTS.filter((m) => m.checker === 'refinement' && !NEEDS_THREADS.has(m.name));

describe('mutants: every deliberately broken kernel is caught by the default refinement check', () => {
  it.each(refinementMutants.map((m) => [m.name, m.description] as const))('%s (%s)', (name) => {
    const r = checkRefinement({ ...DEFAULT, mutants: [name] });
    expect(r.ok).toBe(false);
    const c = r.counterexample;
    if (c === undefined) throw new Error('no counterexample');
    // Shrinking leaves a short trace that still fails on replay, and passes without the mutant.
    expect(c.events.length).toBeLessThanOrEqual(12);
    expect(runTrace(c.events, { mutants: [name] }).failure).toBeDefined();
    expect(runTrace(c.events).failure).toBeUndefined();
  }, 120_000);
});
