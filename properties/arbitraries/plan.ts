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
  'spawn',
  'channel',
  'faultPair',
  'ipc',
  'tcbOp',
  'domainOp',
  'tick',
  'yield',
  'fault',
  'teardown',
  'signalPair',
  'settle',
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
  spawn: 2,
  channel: 2,
  faultPair: 2,
  ipc: 24,
  tcbOp: 3,
  domainOp: 1,
  tick: 4,
  yield: 1,
  fault: 2,
  teardown: 2,
  signalPair: 1,
  settle: 0,
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

/** The macros a trace may open with: threads that talk, fault, and signal each other. */
const PROLOGUE_OPS: readonly Op[] = ['channel', 'faultPair', 'signalPair', 'channel', 'spawn'];

const macro = (op: fc.Arbitrary<Op>): fc.Arbitrary<Plan> =>
  fc.record({ op, n: fc.array(fc.nat({ max: 0xffff }), { minLength: CHOICES, maxLength: CHOICES }), bad: fc.constant(99) });

/** A few macros, then (usually) the root task stepping back so its threads get the processor. */
const prologueArbitrary = (): fc.Arbitrary<Plan[]> =>
  fc
    .tuple(fc.array(macro(fc.constantFrom(...PROLOGUE_OPS)), { maxLength: 4 }), fc.option(macro(fc.constant('settle' as Op)), { freq: 4 }))
    .map(([ms, settle]) => (settle === null ? ms : [...ms, settle]));

/**
 * A trace plan: a short prologue that sets up communicating threads (so most
 * traces reach IPC), then up to `maxSteps` plans. Long traces reach deep states.
 */
export const tracePlanArbitrary = (maxSteps: number, weights?: Readonly<Partial<Record<Op, number>>>): fc.Arbitrary<Plan[]> =>
  fc
    .tuple(prologueArbitrary(), fc.array(planArbitrary(weights), { minLength: 1, maxLength: maxSteps, size: 'max' }))
    .map(([prologue, body]) => [...prologue, ...body]);
