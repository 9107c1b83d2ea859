/**
 * Plans: what the generator draws from fast-check. A plan names an operation
 * and carries a few small numbers that the resolver turns into concrete
 * arguments by looking at the current state (positions in lists of caps and
 * slots, picks among boundary values). fast-check shrinks plans towards the
 * first operation and towards zero, so shrunk traces stay meaningful.
 */
import fc from 'fast-check';

export const OPS = [
  'retype',
  'copy',
  'mint',
  'move',
  'mutate',
  'rotate',
  'delete',
  'revoke',
  'cancelBadgedSends',
  'saveCaller',
  'invokeRandom',
  'garbage',
  'badgeLifecycle',
  'untypedCycle',
] as const;
export type Op = (typeof OPS)[number];

export interface Plan {
  readonly op: Op;
  /** Choice numbers, interpreted by the resolver per operation. */
  readonly n: readonly number[];
  /** Below the "bad" threshold the resolver makes one argument deliberately wrong. */
  readonly bad: number;
}

/** Relative frequencies of the operations in a default run. */
export const OP_WEIGHTS: Readonly<Record<Op, number>> = {
  retype: 6,
  copy: 4,
  mint: 4,
  move: 2,
  mutate: 2,
  rotate: 1,
  delete: 3,
  revoke: 3,
  cancelBadgedSends: 1,
  saveCaller: 1,
  invokeRandom: 1,
  garbage: 1,
  badgeLifecycle: 2,
  untypedCycle: 2,
};

export const CHOICES = 8;

export const planArbitrary = (weights: Readonly<Partial<Record<Op, number>>> = OP_WEIGHTS): fc.Arbitrary<Plan> =>
  fc.record({
    op: fc.oneof(
      ...OPS.filter((op) => (weights[op] ?? 0) > 0).map((op) => ({ weight: weights[op] ?? 0, arbitrary: fc.constant(op) })),
    ),
    n: fc.array(fc.nat({ max: 0xffff }), { minLength: CHOICES, maxLength: CHOICES }),
    bad: fc.nat({ max: 99 }),
  });

/** A trace plan of up to `maxSteps` plans; long traces reach deep states. */
export const tracePlanArbitrary = (maxSteps: number, weights?: Readonly<Partial<Record<Op, number>>>): fc.Arbitrary<Plan[]> =>
  fc.array(planArbitrary(weights), { minLength: 1, maxLength: maxSteps, size: 'max' });
