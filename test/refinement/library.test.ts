import { describe, expect, it } from 'vitest';
import * as lib from '../../refinement/index';

describe('sel4-spec as a library (refinement/index.ts, package.json exports)', () => {
  it('exports the check, its assertion, traces and their telling, states, ITF, the spec and the invariants', () => {
    for (const name of [
      'assertRefinement',
      'checkRefinement',
      'runEvents',
      'parseTrace',
      'decodeTrace',
      'tell',
      'renderStory',
      'viewOfState',
      'stateLines',
      'stepChanges',
      'toItf',
      'bootState',
      'step',
      'invocationEvent',
      'syscallEvent',
    ] as const)
      expect(typeof lib[name], name).toBe('function');
    expect(lib.INVARIANTS.length).toBeGreaterThan(10);
    expect(lib.CHECK_DEFAULTS).toMatchObject({ runs: 100, steps: 200, fastpath: 'both' });
  });

  it('assertRefinement passes a clean kernel and returns the result', async () => {
    const r = await lib.assertRefinement({ seed: 3, runs: 3, steps: 40 });
    expect(r.ok).toBe(true);
    expect(r.runs).toBe(3);
    // A forwarded undefined takes the default, as a missing option does: the same runs as with the defaults.
    const a = await lib.assertRefinement({ seed: 3, runs: 2, steps: undefined, fastpath: undefined });
    const b = await lib.assertRefinement({ seed: 3, runs: 2 });
    expect(a.events).toBe(b.events);
    expect(a.events).toBeGreaterThan(2 * 40);
  }, 120_000);

  it('assertRefinement throws the counterexample as the check prints it, with the result attached', async () => {
    const thrown = await lib.assertRefinement({ seed: 1, mutants: ['mint-keeps-old-badge'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(lib.RefinementError);
    const e = thrown as InstanceType<typeof lib.RefinementError>;
    expect(e.message).toMatch(/^COUNTEREXAMPLE: \d+ events \(shrunk from \d+\), found in run \d+; seed 1, path /);
    expect(e.message).toMatch(/\n +1\. T1 \(root task, prio 255, domain 0\): Call cptr \d+ = rootCNode\[\d+\] /);
    expect(e.message).toMatch(/\ndivergence after step \d+: spec and abstracted impl differ\n {2}rootCNode\[\d+\]: spec \(absent\) \| impl EndpointCap\(EP1, /);
    expect(e.result.counterexample?.failure.kind).toBe('divergence');
  }, 120_000);

  it("checks a user's own invariant beside the kernel's, as the README shows", async () => {
    // The README's example: an invariant is a function from a spec state to its violations.
    const noBadgeTwo = (s: lib.KernelState): lib.Violation[] =>
      [...s.caps].filter(([, c]) => c._tag === 'EndpointCap' && c.badge === 2).map(([slot]) => ({ path: `caps[0x${slot.toString(16)}]`, message: 'an endpoint cap with badge 2' }));
    const thrown = await lib.assertRefinement({ seed: 1, runs: 100, checkSpec: (s) => [...lib.wellFormed(s), ...noBadgeTwo(s)] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(lib.RefinementError);
    const e = thrown as InstanceType<typeof lib.RefinementError>;
    expect(e.result.counterexample?.failure.kind).toBe('invariant');
    expect(e.message).toMatch(/\ninvariant after step \d+: the spec state breaks a kernel invariant\n {2}rootCNode\[\d+\]: an endpoint cap with badge 2/);
  }, 120_000);
});
