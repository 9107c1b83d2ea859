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
  'vspaceOp',
  'tick',
  'yield',
  'fault',
  'teardown',
  'signalPair',
  'badgedSenders',
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
  rotate: 3,
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
  ipc: 40,
  tcbOp: 5,
  domainOp: 2,
  vspaceOp: 3,
  tick: 6,
  yield: 1,
  fault: 2,
  teardown: 4,
  signalPair: 1,
  badgedSenders: 1,
  settle: 0,
};

export const CHOICES = 8;

export const planArbitrary = (weights: Readonly<Partial<Record<Op, number>>> = OP_WEIGHTS): fc.Arbitrary<Plan> =>
  fc.record({
    op: fc.oneof(...OPS.filter((op) => (weights[op] ?? 0) > 0).map((op) => ({ weight: weights[op] ?? 0, arbitrary: fc.constant(op) }))),
    n: fc.array(fc.nat({ max: 0xffff }), { minLength: CHOICES, maxLength: CHOICES }),
    bad: fc.nat({ max: 99 }),
  });

/** The macros a trace opens with: threads that talk, fault, and signal each other. */
const PROLOGUE_PAIRS: readonly Op[] = ['channel', 'faultPair', 'signalPair'];

const macro = (op: Op): fc.Arbitrary<Plan> =>
  fc.record({
    op: fc.constant(op),
    n: fc.array(fc.nat({ max: 0xffff }), { minLength: CHOICES, maxLength: CHOICES }),
    bad: fc.constant(99),
  });

/** Present nine times in ten (shrinks to absent). */
const usually = (a: fc.Arbitrary<Plan>): fc.Arbitrary<Plan | null> => fc.option(a, { freq: 10 });

/**
 * The prologue: usually each kind of pair (a client and server, a faulting
 * thread and its handler, a notifier and a bound server), maybe one more
 * thread or channel, then (usually) the root task stepping back so its
 * threads get the processor.
 */
const prologueArbitrary = (): fc.Arbitrary<Plan[]> =>
  fc
    .tuple(
      ...PROLOGUE_PAIRS.map((op) => usually(macro(op))),
      // Often, senders of two badges queued on one endpoint and a CancelBadgedSends among them.
      fc.option(macro('badgedSenders'), { freq: 3 }),
      fc.option(fc.constantFrom<Op>('channel', 'spawn').chain(macro), { freq: 2 }),
      usually(macro('settle')),
    )
    .map((plans) => plans.filter((p): p is Plan => p !== null));

/**
 * The operations every run keeps: without IPC and ticks the threads of the
 * prologue never act, and without teardown their blocked IPC is never
 * cancelled by deletion.
 */
export const SWARM_KEPT: ReadonlySet<Op> = new Set<Op>(['ipc', 'tick', 'teardown']);

/**
 * Swarm testing (Groce et al. 2012, as Hypothesis does it): every other run
 * (drawn) leaves out each kind of operation with probability 1/2, so the
 * kinds left get the whole run and combine more deeply than in an even mix of
 * all; the other runs keep the even mix, which reaches the rare error paths.
 * The left-out kinds are dropped from the drawn plans. Shrinking goes towards
 * a run that keeps every kind (fewer plans dropped) and, within a swarm run,
 * towards leaving kinds out; plan shrinking and delta debugging then take the
 * trace down to what the failure needs.
 */
const swarmArbitrary = (): fc.Arbitrary<ReadonlySet<Op>> =>
  fc
    .option(fc.array(fc.boolean(), { minLength: OPS.length, maxLength: OPS.length }), { freq: 2 })
    .map((keep) => new Set(OPS.filter((op, i) => keep === null || SWARM_KEPT.has(op) || keep[i] === true)));

/**
 * A trace plan: a short prologue that sets up communicating threads (so most
 * traces reach IPC), then between a quarter (half, with swarm) of `maxSteps` and `maxSteps` plans:
 * long traces reach deep states (fast-check's bias towards tiny arrays would
 * waste runs; delta debugging shortens counterexamples afterwards). With
 * `swarm` (the default) the plans of the kinds a run leaves out are replaced by
 * the next ones of a reserve, so the trace keeps its length.
 */
export const tracePlanArbitrary = (maxSteps: number, weights?: Readonly<Partial<Record<Op, number>>>, swarm = true): fc.Arbitrary<Plan[]> => {
  const plans = (min: number) => fc.array(planArbitrary(weights), { minLength: min, maxLength: maxSteps, size: 'max' });
  return swarm
    ? fc
        .tuple(prologueArbitrary(), swarmArbitrary(), plans(Math.ceil(maxSteps / 2)), plans(0))
        .map(([prologue, kinds, body, reserve]) => [...prologue, ...[...body, ...reserve].filter((p) => kinds.has(p.op)).slice(0, body.length)])
    : fc.tuple(prologueArbitrary(), plans(Math.ceil(maxSteps / 4))).map(([prologue, body]) => [...prologue, ...body]);
};
