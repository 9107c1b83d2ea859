/**
 * Plans over the CSpace and untyped memory: retype, the copy family, rotate,
 * delete and revoke, the rarer CNode methods, invocations with random labels,
 * garbage syscalls, and two macros (a badge's life cycle, an untyped's reuse).
 * Most choices land on something that works; a plan's `bad` number makes one
 * argument deliberately wrong some of the time.
 */
import { ALL_RIGHTS, LABEL, type SyscallEvent, SysCall, SysNBSend, SysSend, messageInfo, syscallEvent } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import type { Cap } from '../../spec/model/structures';
import type { Event } from '../../spec/api';
import { type Step, at, call, choose, cnodeCaps, hasQueuedSenderWithBadge, pick, untypeds } from './common';
import type { Focus } from './focus';
import { type Target, type View, viewOf } from './view';

/** Where an invocation's depth arguments and destination index sit among its message words (0-based). */
export interface ArgLayout {
  readonly depths: readonly number[];
  /** The index of the destination slot, for invocations that need it empty. */
  readonly dest?: number;
}

export const NO_ARGS: ArgLayout = { depths: [] };

/**
 * Break one thing about an invocation: a depth, the message length, the extra
 * caps (missing, unresolvable or of the wrong type), the label, a bit of an
 * index, the destination (made an occupied slot) or the syscall.
 */
export const spoil = (e: SyscallEvent, n: number, layout: ArgLayout): SyscallEvent => {
  const mrs = [...(e.mrs ?? [])];
  const info = e.info ?? 0;
  const { depths, dest } = layout;
  switch (n % 8) {
    case 0: {
      const i = depths[(n >>> 3) % Math.max(depths.length, 1)];
      if (i !== undefined && i < mrs.length) mrs[i] = [0, 1, 33, (mrs[i] ?? 32) - 1, (mrs[i] ?? 32) + 1][(n >>> 5) % 5] ?? 0;
      return { ...e, mrs };
    }
    case 1:
      return { ...e, info: ((info & ~0x7f) | Math.max(0, (info & 0x7f) - 1 - ((n >>> 3) % 3))) >>> 0 };
    case 2:
      return { ...e, info: (info & ~(0x3 << 7)) >>> 0 };
    case 3:
      return { ...e, info: ((info & 0xfff) | (((n >>> 3) % 52) << 12)) >>> 0 };
    case 4: {
      const i = dest ?? 0;
      if (i < mrs.length) mrs[i] = ((mrs[i] ?? 0) ^ (1 << ((n >>> 3) % 32))) >>> 0;
      return { ...e, mrs };
    }
    case 5: {
      const caps = [...(e.caps ?? [])];
      if (caps.length === 0) return { ...e, sysno: SysNBSend };
      // Mostly a cap of the wrong type; sometimes one that does not resolve (a cap fault, fatal without a handler).
      caps[(n >>> 3) % caps.length] = [0x0bad_0000, 0, 4, 18, 0, 4, 18, 1][(n >>> 5) % 8] ?? 0;
      return { ...e, caps };
    }
    case 6: {
      // The root task's own caps (slots 1..3) are always there.
      if (dest !== undefined && dest < mrs.length) mrs[dest] = 1 + ((n >>> 3) % 3);
      return { ...e, mrs };
    }
    default:
      return { ...e, sysno: [SysSend, SysNBSend][(n >>> 3) % 2] ?? SysNBSend };
  }
};

const OBJECT_TYPE_CHOICES = [2, 3, 4, 1, 0, 6, 10, 2, 3, 4, 7, 8, 5, 0, 1, 9];

export const retype = (v: View, f: Focus, n: readonly number[]): SyscallEvent | undefined => {
  const ut = f.pick(untypeds(v), at(n, 0));
  if (ut === undefined || ut.cap._tag !== 'UntypedCap') return undefined;
  const type = at(n, 1) % 64 === 63 ? 11 + (at(n, 1) % 5) : (OBJECT_TYPE_CHOICES[at(n, 1) % OBJECT_TYPE_CHOICES.length] ?? 2);
  const block = ut.cap.blockSize;
  const size =
    type === 0
      ? choose(at(n, 2), [4, 5, 6, 8, 10, 12, Math.max(4, block - 2), Math.max(4, block - 1)], [block, block + 1, 3, 29, 30, 32])
      : type === 4
        ? choose(at(n, 2), [1, 2, 3, 4, 5, 6, 8], [0, 10, 12, 25, 26, 32])
        : choose(at(n, 2), [0], [1, 31, 32]);
  const count = choose(at(n, 3), [1, 1, 1, 2, 3, 4], [0, 256, 257, 4096]);
  // Destination: an empty slot of a CNode reachable from the caller, named directly or through a slot.
  const dest = pick(v.empty, at(n, 4));
  if (dest === undefined) return undefined;
  f.remember(ut.slot, dest.slot);
  const viaSlot =
    at(n, 5) % 4 === 3
      ? pick(
          v.full.filter((t) => t.cap._tag === 'CNodeCap'),
          at(n, 6),
        )
      : undefined;
  if (viaSlot !== undefined && viaSlot.cap._tag === 'CNodeCap') {
    const offset = choose(at(n, 7), [0, 1, 2, 3], [2 ** viaSlot.cap.radix - 1, 2 ** viaSlot.cap.radix]);
    return call(ut.cptr, LABEL.UntypedRetype, [type, size, viaSlot.index, viaSlot.depth, offset, count], [viaSlot.root]);
  }
  // Named directly (node_depth 0): the offset is the empty slot's index in the invoked CNode.
  const cnode = cnodeCaps(v).find((c) => c.cptr === dest.root);
  if (cnode === undefined || cnode.cap._tag !== 'CNodeCap') return undefined;
  const index = (dest.slot - cnode.cap.ptr) / 16;
  const offset = index >= 0 && index < 2 ** cnode.cap.radix ? index : at(n, 7) % 16;
  return call(ut.cptr, LABEL.UntypedRetype, [type, size, 0, 0, offset, count], [dest.root]);
};

const BADGES = [0, 1, 2, 3];
const BADGE_EDGES = [0x0fffffff, 0x10000000, 0xffffffff];

/** The data word of Mint or Mutate: a badge for EP/ntfn caps, guard bits for CNode caps. */
export const capData = (src: Target, n: number): number => {
  if (src.cap._tag === 'CNodeCap') {
    const guardSize = choose(n, [0, 0, 1, 2, 4, 32 - 12 - src.cap.radix], [31, 18, 20]);
    const guard = (n >>> 4) % 4;
    return ((guard << 8) | ((guardSize & 0x1f) << 3)) >>> 0;
  }
  return choose(n, BADGES, BADGE_EDGES);
};

/** Rights masks for Copy and Mint: mostly all, else any of the sixteen (each right dropped alone and in pairs). */
export const RIGHTS = [ALL_RIGHTS, ALL_RIGHTS, ALL_RIGHTS, ALL_RIGHTS, ALL_RIGHTS, ALL_RIGHTS, ...Array.from({ length: 15 }, (_, i) => i)];

export const copyFamily = (v: View, f: Focus, op: 'copy' | 'mint' | 'move' | 'mutate', n: readonly number[]): SyscallEvent | undefined => {
  const src = f.pick(op === 'move' || op === 'mutate' ? v.full.filter((t) => !isVital(v, t.cap)) : v.full, at(n, 0));
  const dest = pick(
    v.empty.filter((t) => src === undefined || t.root === src.root || at(n, 5) % 3 === 0),
    at(n, 1),
  );
  if (src === undefined || dest === undefined) return undefined;
  f.remember(src.slot, dest.slot);
  const rights = RIGHTS[at(n, 2) % RIGHTS.length] ?? ALL_RIGHTS;
  const base = [dest.index, dest.depth, src.index, src.depth];
  switch (op) {
    case 'copy':
      return call(dest.root, LABEL.CNodeCopy, [...base, rights], [src.root]);
    case 'mint':
      return call(dest.root, LABEL.CNodeMint, [...base, rights, capData(src, at(n, 3))], [src.root]);
    case 'move':
      return call(dest.root, LABEL.CNodeMove, base, [src.root]);
    case 'mutate':
      return call(dest.root, LABEL.CNodeMutate, [...base, capData(src, at(n, 3))], [src.root]);
  }
};

export const rotate = (v: View, f: Focus, n: readonly number[]): SyscallEvent | undefined => {
  const src = f.pick(v.full, at(n, 0));
  const pivot = f.pick(v.full, at(n, 1));
  if (src === undefined || pivot === undefined) return undefined;
  // A quarter of rotations swap (destination = source); the rest move into an empty slot.
  const dest = at(n, 2) % 4 === 0 ? src : pick(v.empty, at(n, 3));
  if (dest === undefined) return undefined;
  const data = (t: Target, m: number) => (t.cap._tag === 'CNodeCap' ? capData(t, m) : m % 5 === 0 ? 1 : 0);
  return call(
    dest.root,
    LABEL.CNodeRotate,
    [dest.index, dest.depth, data(pivot, at(n, 4)), pivot.index, pivot.depth, data(src, at(n, 5)), src.index, src.depth],
    [pivot.root, src.root],
  );
};

/**
 * Caps whose loss ends the current thread's run: its own TCB cap (deleting the
 * last one suspends it) and its CSpace root's CNode cap (revoking it deletes
 * the thread's CSpace root). Plans avoid them unless they mean to be bad.
 */
export const isVital = (v: View, c: Cap): boolean => (c._tag === 'ThreadCap' && c.tcb === v.thread) || (c._tag === 'CNodeCap' && c.ptr === v.rootCNode);

export const onOccupied = (v: View, f: Focus, label: number, n: readonly number[], allowVital: boolean): SyscallEvent | undefined => {
  const t = f.pick(allowVital ? v.full : v.full.filter((x) => !isVital(v, x.cap)), at(n, 0));
  if (t === undefined) return undefined;
  f.remember(t.slot);
  return call(t.root, label, [t.index, t.depth]);
};

/**
 * CancelBadgedSends where it has work: on a badged endpoint cap with all
 * rights, best one whose badge some queued sender carries; else (or when `n`
 * says so) on any occupied slot, for the error paths.
 */
export const cancelBadgedSends = (s: KernelState, v: View, f: Focus, n: readonly number[]): SyscallEvent | undefined => {
  const allRights = (c: Cap) => c._tag === 'EndpointCap' && c.badge !== 0 && c.canSend && c.canReceive && c.canGrant && c.canGrantReply;
  const badged = v.full.filter((t) => allRights(t.cap));
  const matching = badged.filter((t) => hasQueuedSenderWithBadge(s, t.cap));
  const t = at(n, 1) % 4 === 0 ? undefined : pick(matching.length > 0 ? matching : badged, at(n, 0));
  if (t === undefined) return onOccupied(v, f, LABEL.CNodeCancelBadgedSends, n, true);
  f.remember(t.slot);
  return call(t.root, LABEL.CNodeCancelBadgedSends, [t.index, t.depth]);
};

export const onEmpty = (v: View, label: number, n: readonly number[]): SyscallEvent | undefined => {
  const t = pick(v.empty, at(n, 0));
  return t === undefined ? undefined : call(t.root, label, [t.index, t.depth]);
};

/** Invoke any cap with any label and a few arguments: the error paths of every decoder. */
export const invokeRandom = (v: View, n: readonly number[]): SyscallEvent | undefined => {
  const c = pick(v.invokable, at(n, 0));
  if (c === undefined) return undefined;
  const label = at(n, 1) % 52;
  const len = at(n, 2) % 9;
  const mrs = Array.from({ length: len }, (_, i) => choose(at(n, 3 + (i % 4)) + i, [0, 1, 2, 32, 12], [0xffffffff, 31]));
  const caps = at(n, 7) % 3 === 0 ? [] : [pick(v.invokable, at(n, 7))?.cptr ?? 0];
  return call(c.cptr, label, mrs, caps, at(n, 7) % 5 === 0 ? SysNBSend : SysCall);
};

/** Words that are not a sensible syscall: unknown caps, unknown numbers, odd message infos. */
export const garbage = (v: View, n: readonly number[]): SyscallEvent => {
  const kind = at(n, 0) % 4;
  const cptr = kind === 0 ? (at(n, 1) * 0x10001) >>> 0 : (pick(v.invokable, at(n, 1))?.cptr ?? 0);
  const info = kind === 1 ? ((at(n, 2) * 0x9e37) ^ (at(n, 3) << 16)) >>> 0 : messageInfo(at(n, 2) % 60, 0, at(n, 3) % 4, at(n, 4) % 128);
  // An unknown syscall number faults; without a handler the thread is gone, so that stays rare.
  const unknown = kind === 2 && (v.hasFaultHandler || at(n, 6) % 8 === 0);
  const sysno = unknown ? ([-9, 1, 0, 42, -100][at(n, 5) % 5] ?? -9) : SysNBSend;
  return syscallEvent({ sysno, cptr, info, mrs: [at(n, 5), at(n, 6), at(n, 7), 0], caps: [at(n, 6) % 64, at(n, 7) % 64, 0] });
};

const isOriginalEPorNtfn = (t: Target): boolean => (t.cap._tag === 'EndpointCap' || t.cap._tag === 'NotificationCap') && t.cap.badge === 0;

/**
 * Mint a badge from an unbadged endpoint or notification cap, copy the badged
 * cap, then delete, revoke or re-mint around it: the first-badged and
 * badge-parent rules of the MDB.
 */
export const badgeLifecycle = (f: Focus, n: readonly number[]): Step[] => {
  let original: Target | undefined;
  let minted: number | undefined;
  const badge = 1 + (at(n, 1) % 3);
  const find = (v: View, slot: number | undefined) => v.full.find((t) => t.slot === slot);
  return [
    (s) => {
      const v = viewOf(s);
      original = f.pick(v.full.filter(isOriginalEPorNtfn), at(n, 0));
      const dest = pick(v.empty, at(n, 2));
      if (original === undefined || dest === undefined) return undefined;
      minted = dest.slot;
      f.remember(original.slot, dest.slot);
      return call(dest.root, LABEL.CNodeMint, [dest.index, dest.depth, original.index, original.depth, ALL_RIGHTS, badge], [original.root]);
    },
    (s) => {
      const v = viewOf(s);
      const src = find(v, minted);
      const dest = pick(v.empty, at(n, 3));
      if (src === undefined || dest === undefined) return undefined;
      f.remember(dest.slot);
      return call(dest.root, LABEL.CNodeCopy, [dest.index, dest.depth, src.index, src.depth, RIGHTS[at(n, 4) % RIGHTS.length] ?? ALL_RIGHTS], [src.root]);
    },
    (s) => {
      const v = viewOf(s);
      const m = find(v, minted);
      if (m === undefined) return undefined;
      switch (at(n, 5) % 4) {
        case 0:
          return call(m.root, LABEL.CNodeDelete, [m.index, m.depth]);
        case 1:
          return call(m.root, LABEL.CNodeRevoke, [m.index, m.depth]);
        case 2:
          return call(m.root, LABEL.CNodeCancelBadgedSends, [m.index, m.depth]);
        default: {
          const dest = pick(v.empty, at(n, 6));
          return dest === undefined ? undefined : call(dest.root, LABEL.CNodeMove, [dest.index, dest.depth, m.index, m.depth], [m.root]);
        }
      }
    },
    (s) => {
      const v = viewOf(s);
      const o = original === undefined ? undefined : find(v, original.slot);
      const dest = pick(v.empty, at(n, 7));
      if (o === undefined || dest === undefined) return undefined;
      f.remember(dest.slot);
      return call(dest.root, LABEL.CNodeMint, [dest.index, dest.depth, o.index, o.depth, ALL_RIGHTS, badge], [o.root]);
    },
  ];
};

/**
 * Use an untyped, revoke it, and retype it again: the reset path (detyping,
 * zeroing, the watermark back at the base) with objects over old ones.
 */
export const untypedCycle = (f: Focus, n: readonly number[]): Step[] => {
  let ut: number | undefined;
  const untyped = (v: View) => v.full.find((t) => t.slot === ut && t.cap._tag === 'UntypedCap');
  const retypeInto = (s: KernelState, type: number, size: number, count: number, k: number): Event | undefined => {
    const v = viewOf(s);
    const u = v.invokable.find((c) => c.slot === ut);
    const dest = pick(v.empty, k);
    const cnode = cnodeCaps(v).find((c) => c.cptr === dest?.root);
    if (u === undefined || dest === undefined || cnode === undefined || cnode.cap._tag !== 'CNodeCap') return undefined;
    f.remember(dest.slot);
    return call(u.cptr, LABEL.UntypedRetype, [type, size, 0, 0, (dest.slot - cnode.cap.ptr) / 16, count], [dest.root]);
  };
  return [
    (s) => {
      const v = viewOf(s);
      const u = f.pick(
        untypeds(v).filter((c) => c.cap._tag === 'UntypedCap' && c.cap.blockSize <= 19),
        at(n, 0),
      );
      ut = u?.slot;
      const type = [1, 4, 5, 3, 2, 10][at(n, 1) % 6] ?? 1;
      return retypeInto(s, type, type === 4 ? 2 + (at(n, 2) % 4) : 0, 1 + (at(n, 3) % 2), at(n, 4));
    },
    (s) => {
      const t = untyped(viewOf(s));
      return t === undefined ? undefined : call(t.root, LABEL.CNodeRevoke, [t.index, t.depth]);
    },
    (s) => retypeInto(s, [6, 0, 4, 1][at(n, 5) % 4] ?? 6, [0, 8, 4, 0][at(n, 5) % 4] ?? 0, 1, at(n, 6)),
  ];
};
