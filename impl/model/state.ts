/**
 * The concrete kernel's state: physical memory plus the kernel globals the C
 * kernel keeps outside objects (current thread, scheduler action, ready-queue
 * heads and bitmaps, domain schedule, IRQ table, ASID table, interrupt
 * controller), the "current error" globals of the C error protocol, and
 * ghost data that only the abstraction function reads.
 *
 * seL4: C src/model/statedata.c, include/model/statedata.h,
 * src/arch/arm/32/model/statedata.c; spec twin: spec/model/state.ts.
 */
import { type DomainScheduleConfig, type Fault, type LookupFailure, MAX_IRQ, NUM_DOMAINS, NUM_PRIORITIES, type SyscallError } from '../../spec/api';
import { KernelArray, type PhysicalMemory, acquireMemory } from './memory';
import { type Patch, type SeamTable, seamTable } from './seam';

/** ksSchedulerAction: 0 and 1 are actions; any other value is the TCB to switch to. */
export const SCHED_RESUME_CURRENT_THREAD = 0;
export const SCHED_CHOOSE_NEW_THREAD = 1;

/** The C kernel's exception_t. */
export const EXCEPTION_NONE = 0;
export const EXCEPTION_FAULT = 1;
export const EXCEPTION_LOOKUP_FAULT = 2;
export const EXCEPTION_SYSCALL_ERROR = 3;
export const EXCEPTION_PREEMPTED = 4;
/** Returned for invocations of objects this model does not cover yet (the spec's NotModelled). */
export const EXCEPTION_NOT_MODELLED = 5;
export type Exception = 0 | 1 | 2 | 3 | 4;

export const IRQ_INACTIVE = 0;
export const IRQ_SIGNAL = 1;
export const IRQ_TIMER = 2;
export const IRQ_RESERVED = 3;

/**
 * The ghost object table, which logs the addresses whose entry changed (read
 * and emptied by the checker only, as the memory's write log is).
 */
export class GhostTable extends Map<number, GhostObject> {
  private changedKeys: number[] = [];

  override set(p: number, o: GhostObject): this {
    this.changedKeys.push(p);
    return super.set(p, o);
  }

  override delete(p: number): boolean {
    if (this.has(p)) this.changedKeys.push(p);
    return super.delete(p);
  }

  /** The addresses set or deleted since the last call. */
  takeChanges(): readonly number[] {
    const out = this.changedKeys;
    this.changedKeys = [];
    return out;
  }
}

/** What the abstraction needs to know about an object and memory cannot tell (l4v's ghost state). */
export interface GhostObject {
  readonly type: 'TCB' | 'Endpoint' | 'Notification' | 'CNode' | 'Frame' | 'PageTable' | 'PageDirectory' | 'ASIDPool';
  readonly sizeBits: number;
  readonly isDevice: boolean;
}

export class Kernel {
  readonly mem: PhysicalMemory = acquireMemory();
  ksCurThread = 0;
  ksIdleThread = 0;
  ksSchedulerAction = SCHED_RESUME_CURRENT_THREAD;
  readonly ksReadyQueueHead = new KernelArray('ksReadyQueueHead', NUM_DOMAINS * NUM_PRIORITIES);
  readonly ksReadyQueueTail = new KernelArray('ksReadyQueueTail', NUM_DOMAINS * NUM_PRIORITIES);
  readonly ksReadyQueuesL1Bitmap = new KernelArray('ksReadyQueuesL1Bitmap', NUM_DOMAINS);
  readonly ksReadyQueuesL2Bitmap = new KernelArray('ksReadyQueuesL2Bitmap', NUM_DOMAINS * 8);
  ksCurDomain = 0;
  ksDomainTime = 0n;
  ksDomSchedule: DomainScheduleConfig[] = [];
  ksDomScheduleIdx = 0;
  ksDomScheduleStart = 0;
  ksWorkUnitsCompleted = 0;
  readonly intStateIRQTable = new KernelArray('intStateIRQTable', MAX_IRQ + 1);
  intStateIRQNode = 0;
  readonly armKSASIDTable = new KernelArray('armKSASIDTable', 128);
  /** The interrupt controller: lines raised and lines masked. */
  readonly irqPending = new KernelArray('irqPending', MAX_IRQ + 1);
  readonly irqMasked = new KernelArray('irqMasked', MAX_IRQ + 1);

  // The C error protocol: a function returns an exception code and leaves the details here.
  currentSyscallError: SyscallError = { _tag: 'IllegalOperation' };
  currentLookupFault: LookupFailure = { _tag: 'InvalidRoot' };
  currentFault: Fault = { _tag: 'UnknownSyscall', syscallNumber: 0 };
  /** The slots of the current message's extra caps (C's current_extra_caps). */
  currentExtraCaps: number[] = [];

  /** Ghost: every object that exists, by address (updated by retype and reset, read only by the abstraction). */
  readonly ghostObjects = new GhostTable();

  /** Try the IPC fastpath (impl/fastpath) for Call and ReplyRecv before the slow path (a boot option, off by default). */
  fastpath = false;

  /** The patched kernel functions (impl/model/seam.ts), or null: the kernel as written. */
  readonly seams: SeamTable | null;

  constructor(patches: readonly Patch[] = []) {
    this.seams = seamTable(patches);
  }
}

/** Leave a syscall error for the caller to reply with, and say so (C: current_syscall_error, EXCEPTION_SYSCALL_ERROR). */
export const syscallError = (k: Kernel, e: Kernel['currentSyscallError']): Exception => {
  k.currentSyscallError = e;
  return EXCEPTION_SYSCALL_ERROR;
};
