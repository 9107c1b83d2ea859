import { describe, expect, it } from 'vitest';
import { checkRefinement } from '../../properties/refinement';
import { wellFormed } from '../../invariants/wellFormed';

describe('properties/refinement: refinementHolds at CI size', () => {
  it('finds no divergence and no broken invariant over 80 generated traces', () => {
    const r = checkRefinement({ seed: 20261121, runs: 80, steps: 200, checkSpec: wellFormed });
    expect(r.counterexample?.failure.message).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.events).toBeGreaterThan(4000);
  }, 120_000);

  it('reaches most of the known (invocation, outcome) pairs', () => {
    const r = checkRefinement({ seed: 7, runs: 80, steps: 200 });
    const { hit, known } = r.coverage.summary();
    // A generator change that stops reaching error paths shows up here.
    expect(hit / known).toBeGreaterThan(0.75);
  }, 120_000);

  it('is deterministic: the same seed gives the same runs, events and coverage', () => {
    const a = checkRefinement({ seed: 99, runs: 15, steps: 120 });
    const b = checkRefinement({ seed: 99, runs: 15, steps: 120 });
    expect(b.events).toBe(a.events);
    expect([...b.coverage.counts.entries()]).toEqual([...a.coverage.counts.entries()]);
  }, 60_000);
});
