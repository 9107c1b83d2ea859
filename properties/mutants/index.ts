/**
 * The mutant catalogue: every deliberately broken kernel, by group (one
 * module each), in the order `sel4-spec mutants` lists them.
 */
import { BLIND_SPOT_MUTANTS } from './blindSpots';
import { CSPACE_MUTANTS } from './cspace';
import { FASTPATH_MUTANTS } from './fastpath';
import type { Mutant } from './mutant';
import type { Patch } from '../../impl/model/seam';
import { THREAD_MUTANTS } from './threads';

export type { Mutant } from './mutant';

export const MUTANT_GROUPS = {
  cspace: CSPACE_MUTANTS,
  threads: THREAD_MUTANTS,
  fastpath: FASTPATH_MUTANTS,
  blindSpots: BLIND_SPOT_MUTANTS,
} as const;

export type MutantGroup = keyof typeof MUTANT_GROUPS;

export const MUTANTS = [...CSPACE_MUTANTS, ...THREAD_MUTANTS, ...FASTPATH_MUTANTS, ...BLIND_SPOT_MUTANTS] as const satisfies readonly Mutant[];

export type MutantName = (typeof MUTANTS)[number]['name'];

export const MUTANT_NAMES: readonly string[] = MUTANTS.map((m) => m.name);

export const isMutantName = (s: string): s is MutantName => MUTANT_NAMES.includes(s);

const byName: ReadonlyMap<string, Mutant> = new Map(MUTANTS.map((m) => [m.name, m]));

/** The patches that make these mutants (names not in the catalogue are refused). */
export const patchesOf = (names: readonly string[]): Patch[] =>
  names.flatMap((n) => {
    const m = byName.get(n);
    if (m === undefined) throw new Error(`unknown mutant '${n}'`);
    return m.patches;
  });

/** The group a mutant belongs to. */
export const groupOf = (m: Mutant): MutantGroup => {
  const g = (Object.keys(MUTANT_GROUPS) as MutantGroup[]).find((k) => (MUTANT_GROUPS[k] as readonly Mutant[]).some((x) => x.name === m.name));
  if (g === undefined) throw new Error(`mutant '${m.name}' is in no group`);
  return g;
};
