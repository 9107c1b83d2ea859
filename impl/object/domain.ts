/**
 * The domain cap on the packed kernel: DomainSet_Set and the domain-schedule
 * edits: decodeDomainInvocation hands each label to its decode, which does the
 * checks and calls the invoke that performs it.
 *
 * Names and argument order are C's (`arg` for C's buffer); the spec twin's are
 * Haskell's (decode into a DomainInvocation, one invokeDomain).
 *
 * seL4: C src/object/domain.c; spec twin: spec/object/domain.ts.
 */
import { DSCHED_MAX_DURATION, NUM_DOMAINS, LABEL } from '../../spec/api';
import { tableAt, tableSet } from '../model/memory';
import { Cap, CapTag, TS, capGet, capType } from '../model/layout';
import { getSlotCap } from '../model/heap';
import { EXCEPTION_NONE, type Exception, type Kernel, syscallError } from '../model/state';
import { seam } from '../model/seam';
import { isEndMarker, rescheduleRequired, setDomain, setThreadState } from '../kernel/thread';

/** C's prepareSetDomain before setDomain touches only arch (FPU) state, which has no model state here. */
const invokeDomainSetSet = (k: Kernel, tcb: number, domain: number): void => {
  setDomain(k, tcb, domain);
};

/** A domain number the kernel has (C compares with CONFIG_NUM_DOMAINS inline). */
export const isValidDomain = seam('isValidDomain', (_k: Kernel, domain: number): boolean => domain < NUM_DOMAINS);

const decodeDomainSetSetInvocation = (k: Kernel, length: number, arg: (i: number) => number): Exception => {
  if (length === 0) return syscallError(k, { _tag: 'TruncatedMessage' });
  const domain = arg(0);
  if (!isValidDomain(k, domain)) return syscallError(k, { _tag: 'InvalidArgument', argument: 0 });
  const slot = k.currentExtraCaps[0];
  if (slot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const tcap = getSlotCap(k, slot);
  if (capType(tcap) !== CapTag.Thread) return syscallError(k, { _tag: 'InvalidArgument', argument: 1 });
  setThreadState(k, k.ksCurThread, TS.Restart);
  invokeDomainSetSet(k, capGet(tcap, Cap.Thread.tcb), domain);
  return EXCEPTION_NONE;
};

const invokeDomainScheduleConfigure = (k: Kernel, index: number, domain: number, duration: bigint): void => {
  tableSet(k.ksDomSchedule, index, { domain, length: duration }, 'ksDomSchedule');
};

const decodeDomainScheduleConfigure = (k: Kernel, length: number, arg: (i: number) => number): Exception => {
  const len = k.ksDomSchedule.length;
  if (length < 4) return syscallError(k, { _tag: 'TruncatedMessage' });
  const index = arg(0);
  const domain = arg(1);
  const duration = BigInt(arg(2)) | (BigInt(arg(3)) << 32n);
  // The last entry must stay an end marker.
  if (index >= len - 1) return syscallError(k, { _tag: 'RangeError', min: 0, max: len - 2 });
  if (domain >= NUM_DOMAINS) return syscallError(k, { _tag: 'RangeError', min: 0, max: NUM_DOMAINS - 1 });
  if (duration > DSCHED_MAX_DURATION) return syscallError(k, { _tag: 'InvalidArgument', argument: 2 });
  if (duration === 0n && domain !== 0) return syscallError(k, { _tag: 'InvalidArgument', argument: 1 });
  if (index === k.ksDomScheduleStart && duration === 0n) return syscallError(k, { _tag: 'InvalidArgument', argument: 2 });
  setThreadState(k, k.ksCurThread, TS.Restart);
  invokeDomainScheduleConfigure(k, index, domain, duration);
  return EXCEPTION_NONE;
};

/** End the current domain schedule and switch at once to the new start. */
const invokeDomainScheduleSetStart = (k: Kernel, index: number): void => {
  k.ksDomScheduleStart = index;
  k.ksDomainTime = 0n;
  k.ksDomScheduleIdx = k.ksDomSchedule.length - 2;
  rescheduleRequired(k);
};

const decodeDomainScheduleSetStart = (k: Kernel, length: number, arg: (i: number) => number): Exception => {
  const len = k.ksDomSchedule.length;
  if (length === 0) return syscallError(k, { _tag: 'TruncatedMessage' });
  const index = arg(0);
  if (index >= len) return syscallError(k, { _tag: 'RangeError', min: 0, max: len - 1 });
  if (isEndMarker(tableAt(k.ksDomSchedule, index, 'ksDomSchedule'))) return syscallError(k, { _tag: 'InvalidArgument', argument: 0 });
  setThreadState(k, k.ksCurThread, TS.Restart);
  invokeDomainScheduleSetStart(k, index);
  return EXCEPTION_NONE;
};

export const decodeDomainInvocation = (k: Kernel, label: number, length: number, arg: (i: number) => number): Exception => {
  switch (label) {
    case LABEL.DomainSetSet:
      return decodeDomainSetSetInvocation(k, length, arg);
    case LABEL.DomainScheduleConfigure:
      return decodeDomainScheduleConfigure(k, length, arg);
    case LABEL.DomainScheduleSetStart:
      return decodeDomainScheduleSetStart(k, length, arg);
    default:
      return syscallError(k, { _tag: 'IllegalOperation' });
  }
};
