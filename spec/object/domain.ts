/**
 * The domain cap: moving a thread to another scheduling domain, and editing
 * the domain schedule (an entry's domain and duration; where the schedule
 * starts).
 *
 * seL4: Haskell Object/Domain.hs; abstract spec Decode_A.thy
 * (decode_domain_invocation); C src/object/domain.c.
 */
import * as E from 'fp-ts/Either';
import { DSCHED_MAX_DURATION, NUM_DOMAINS, isEndMarker } from '../api/config';
import { type SyscallError, illegalOperation, invalidArgument, rangeError, truncatedMessage } from '../api/errors';
import { invocationLabelOf } from '../api/invocationLabel';
import type { KernelState } from '../model/state';
import type { PPtr } from '../model/structures';
import type { CapAndSlot } from '../kernel/cspace';
import { rescheduleRequired, setDomain } from '../kernel/thread';

export type DomainInvocation =
  | { readonly _tag: 'DomainSet'; readonly t: PPtr; readonly domain: number }
  | { readonly _tag: 'ScheduleConfigure'; readonly index: number; readonly domain: number; readonly duration: bigint }
  | { readonly _tag: 'ScheduleSetStart'; readonly index: number };

export const decodeDomainInvocation = (s: KernelState, labelWord: number, args: readonly number[], extraCaps: readonly CapAndSlot[]): E.Either<SyscallError, DomainInvocation> => {
  const a = (i: number) => args[i] ?? 0;
  const len = s.domainSchedule.length;
  switch (invocationLabelOf(labelWord)) {
    case 'DomainSetSet': {
      if (args.length === 0) return E.left(truncatedMessage);
      if (a(0) >= NUM_DOMAINS) return E.left(invalidArgument(0));
      const c = extraCaps[0];
      if (c === undefined) return E.left(truncatedMessage);
      return c.cap._tag === 'ThreadCap' ? E.right({ _tag: 'DomainSet', t: c.cap.tcb, domain: a(0) }) : E.left(invalidArgument(1));
    }
    case 'DomainScheduleConfigure': {
      if (args.length < 4) return E.left(truncatedMessage);
      const index = a(0);
      const domain = a(1);
      const duration = BigInt(a(2)) | (BigInt(a(3)) << 32n);
      if (index >= len - 1) return E.left(rangeError(0, len - 2));
      if (domain >= NUM_DOMAINS) return E.left(rangeError(0, NUM_DOMAINS - 1));
      if (duration > DSCHED_MAX_DURATION) return E.left(invalidArgument(2));
      if (duration === 0n && domain !== 0) return E.left(invalidArgument(1));
      if (index === s.domainScheduleStart && duration === 0n) return E.left(invalidArgument(2));
      return E.right({ _tag: 'ScheduleConfigure', index, domain, duration });
    }
    case 'DomainScheduleSetStart': {
      if (args.length === 0) return E.left(truncatedMessage);
      const index = a(0);
      if (index >= len) return E.left(rangeError(0, len - 1));
      const entry = s.domainSchedule[index];
      if (entry !== undefined && isEndMarker(entry)) return E.left(invalidArgument(0));
      return E.right({ _tag: 'ScheduleSetStart', index });
    }
    default:
      return E.left(illegalOperation);
  }
};

export const invokeDomain =
  (inv: DomainInvocation) =>
  (s: KernelState): KernelState => {
    switch (inv._tag) {
      case 'DomainSet':
        return setDomain(inv.t, inv.domain)(s);
      case 'ScheduleConfigure': {
        const domainSchedule = s.domainSchedule.slice();
        domainSchedule[inv.index] = { domain: inv.domain, length: inv.duration };
        return { ...s, domainSchedule };
      }
      case 'ScheduleSetStart':
        // The next nextDomain steps from the reserved end marker to the new start.
        return rescheduleRequired({ ...s, domainScheduleStart: inv.index, domainTime: 0n, domainScheduleIdx: s.domainSchedule.length - 2 });
    }
  };
