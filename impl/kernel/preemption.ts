/**
 * Preemption points of long-running operations: every WORK_UNITS_LIMIT points
 * the kernel checks the interrupt controller and abandons the operation if an
 * unmasked interrupt is pending.
 *
 * seL4: C src/model/preemption.c; spec twin: spec/model/preemption.ts.
 */
import { MAX_IRQ, WORK_UNITS_LIMIT } from '../../spec/api';
import { EXCEPTION_NONE, EXCEPTION_PREEMPTED, type Exception, type Kernel } from '../model/state';

/** `isIRQPending`: an interrupt line is raised and not masked. */
export const isIRQPending = (k: Kernel): boolean => {
  for (let i = 0; i <= MAX_IRQ; i++) if (k.irqPending.get(i) === 1 && k.irqMasked.get(i) === 0) return true;
  return false;
};

export const preemptionPoint = (k: Kernel): Exception => {
  k.ksWorkUnitsCompleted++;
  if (k.ksWorkUnitsCompleted >= WORK_UNITS_LIMIT) {
    k.ksWorkUnitsCompleted = 0;
    if (isIRQPending(k)) return EXCEPTION_PREEMPTED;
  }
  return EXCEPTION_NONE;
};
