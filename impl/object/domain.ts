/**
 * The domain cap on the packed kernel: DomainSet_Set and the domain-schedule
 * edits, decoded and performed as C does.
 *
 * seL4: C src/object/domain.c; spec twin: spec/object/domain.ts.
 */
import {
  DSCHED_MAX_DURATION,
  NUM_DOMAINS,
  LABEL,
} from '../../spec/api';
import { tableAt, tableSet } from '../model/memory';
import { Cap, CapTag, TS, capGet, capType } from '../model/layout';
import { getSlotCap } from '../model/heap';
import { EXCEPTION_NONE, type Exception, type Kernel, syscallError } from '../model/state';
import { isEndMarker, rescheduleRequired, setDomain, setThreadState } from '../kernel/thread';


export const decodeDomainInvocation = (k: Kernel, label: number, length: number, arg: (i: number) => number): Exception => {
  const len = k.ksDomSchedule.length;
  switch (label) {
    case LABEL.DomainSetSet: {
      if (length === 0) return syscallError(k, { _tag: 'TruncatedMessage' });
      const domain = arg(0);
      if (k.mutants.has('domain-set-off-by-one') ? domain > NUM_DOMAINS : domain >= NUM_DOMAINS) return syscallError(k, { _tag: 'InvalidArgument', argument: 0 });
      const slot = k.currentExtraCaps[0];
      if (slot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
      const c = getSlotCap(k, slot);
      if (capType(c) !== CapTag.Thread) return syscallError(k, { _tag: 'InvalidArgument', argument: 1 });
      setThreadState(k, k.ksCurThread, TS.Restart);
      setDomain(k, capGet(c, Cap.Thread.tcb), domain);
      return EXCEPTION_NONE;
    }
    case LABEL.DomainScheduleConfigure: {
      if (length < 4) return syscallError(k, { _tag: 'TruncatedMessage' });
      const index = arg(0);
      const domain = arg(1);
      const duration = BigInt(arg(2)) | (BigInt(arg(3)) << 32n);
      if (index >= len - 1) return syscallError(k, { _tag: 'RangeError', min: 0, max: len - 2 });
      if (domain >= NUM_DOMAINS) return syscallError(k, { _tag: 'RangeError', min: 0, max: NUM_DOMAINS - 1 });
      if (duration > DSCHED_MAX_DURATION) return syscallError(k, { _tag: 'InvalidArgument', argument: 2 });
      if (duration === 0n && domain !== 0) return syscallError(k, { _tag: 'InvalidArgument', argument: 1 });
      if (index === k.ksDomScheduleStart && duration === 0n) return syscallError(k, { _tag: 'InvalidArgument', argument: 2 });
      setThreadState(k, k.ksCurThread, TS.Restart);
      tableSet(k.ksDomSchedule, index, { domain, length: duration }, 'ksDomSchedule');
      return EXCEPTION_NONE;
    }
    case LABEL.DomainScheduleSetStart: {
      if (length === 0) return syscallError(k, { _tag: 'TruncatedMessage' });
      const index = arg(0);
      if (index >= len) return syscallError(k, { _tag: 'RangeError', min: 0, max: len - 1 });
      const e = tableAt(k.ksDomSchedule, index, 'ksDomSchedule');
      if (isEndMarker(e)) return syscallError(k, { _tag: 'InvalidArgument', argument: 0 });
      setThreadState(k, k.ksCurThread, TS.Restart);
      k.ksDomScheduleStart = index;
      k.ksDomainTime = 0n;
      k.ksDomScheduleIdx = len - 2;
      rescheduleRequired(k);
      return EXCEPTION_NONE;
    }
    default:
      return syscallError(k, { _tag: 'IllegalOperation' });
  }
};
