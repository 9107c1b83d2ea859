/**
 * The mutant groups (properties/mutants) with how short each must shrink, and the test that
 * the default check catches one: `sel4-spec mutants --hunt` as a vitest case.
 */
import { expect, it } from 'vitest';
import { MUTANT_GROUPS, type Mutant, type MutantGroup, groupOf } from '../../properties/mutants';
import { type Hunt, hunt } from '../../properties/mutation';

/** The default check, as `sel4-spec check --seed 1` runs it (invariants on, the fastpath both off and on). */
export const DEFAULT_HUNT = { seed: 1, runs: 100, steps: 200 } as const;

export const mutantsOf = (g: MutantGroup): readonly Mutant[] => MUTANT_GROUPS[g];

/**
 * How short a shrunk counterexample must be. CSpace bugs need a retype or two
 * (more when the generated trace ran them from a spawned thread's CSpace, whose
 * creation then stays in the trace); thread and fastpath bugs need the threads,
 * their objects and their configuration first (four events per thread), then
 * the IPC that goes wrong.
 */
export const SHRUNK_LIMIT: Readonly<Record<MutantGroup, number>> = { cspace: 24, threads: 50, fastpath: 50, blindSpots: 50 };

export const expectCaught = async (m: Mutant): Promise<Hunt> => {
  const h = await hunt(m, DEFAULT_HUNT);
  expect(h.caught).toBe(true);
  // The shrunk trace fails again with the mutant and passes without it.
  expect(h.replays).toBe(true);
  expect(h.shrunkLength).toBeLessThanOrEqual(SHRUNK_LIMIT[groupOf(m)]);
  expect(h.shrunkLength).toBeLessThanOrEqual(h.originalLength ?? 0);
  return h;
};

/** One test per mutant of the group: the default check catches it (each may take minutes). */
export const itCatchesEach = (g: MutantGroup): void => {
  it.each(mutantsOf(g).map((m) => [m.name, m.description, m] as const))(
    '%s (%s)',
    async (_name, _description, m) => {
      await expectCaught(m);
    },
    180_000,
  );
};
