/**
 * Long-running operations (revoke, delete, untyped reset) pass preemption
 * points. Every WORK_UNITS_LIMIT points the kernel checks for a pending
 * interrupt and, if there is one, abandons the operation: the caller stays in
 * Restart and re-issues the syscall later. The result of such an operation
 * says whether it completed.
 *
 * seL4: Haskell Model/Preemption.lhs (preemptionPoint), abstract spec
 * Deterministic_A.thy (preemption_point, work_units_completed).
 */
import { WORK_UNITS_LIMIT } from '../api/config';
import type { Transition } from './heap';
import type { KernelState } from './state';

export interface Preemptible {
  readonly state: KernelState;
  readonly preempted: boolean;
}

export const completed = (state: KernelState): Preemptible => ({ state, preempted: false });

/** Haskell's `withoutPreemption`: a Transition as a preemptible step that passes no preemption point. */
export const withoutPreemption =
  (f: Transition) =>
  (s: KernelState): Preemptible =>
    completed(f(s));

/** The bind of Haskell's KernelP: continue with `f` unless the operation so far was preempted. */
export const andThen =
  (f: (s: KernelState) => Preemptible) =>
  (r: Preemptible): Preemptible =>
    r.preempted ? r : f(r.state);

/** `forM_` in KernelP: a preemptible step per element, in order, stopping at the first preemption. */
export const forEachPreemptible =
  <A>(xs: readonly A[], f: (x: A) => (s: KernelState) => Preemptible) =>
  (s: KernelState): Preemptible =>
    xs.reduce((r, x) => andThen(f(x))(r), completed(s));

/** A performed invocation: its state, and the words the kernel replies to a Call. */
export interface Performed extends Preemptible {
  readonly reply: readonly number[];
}

/** An interrupt line is raised and not masked. */
export const isIRQPending = (s: KernelState): boolean => {
  for (const irq of s.irqPending) if (!s.irqMasked.has(irq)) return true;
  return false;
};

export const preemptionPoint = (s: KernelState): Preemptible => {
  const units = s.workUnitsCompleted + 1;
  if (units < WORK_UNITS_LIMIT) return completed({ ...s, workUnitsCompleted: units });
  const s1 = { ...s, workUnitsCompleted: 0 };
  return { state: s1, preempted: isIRQPending(s1) };
};

/** Run preemptible steps in order, stopping at the first that is preempted. */
export const sequence =
  (...steps: ReadonlyArray<(s: KernelState) => Preemptible>) =>
  (s: KernelState): Preemptible =>
    steps.reduce((r, step) => andThen(step)(r), completed(s));
