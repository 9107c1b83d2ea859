/**
 * CNode objects and the capability-table operations built on them: inserting,
 * moving and swapping caps with their place in the derivation tree, deleting
 * (with the Zombie recursion for CNodes and threads), revoking, and the CNode
 * invocations Copy, Mint, Move, Mutate, Rotate, Delete, Revoke, SaveCaller and
 * CancelBadgedSends.
 *
 * seL4: Haskell Object/CNode.lhs; abstract spec CSpace_A.thy (cap_insert,
 * cap_move, cap_swap, rec_del, cap_revoke, invoke_cnode), Decode_A.thy
 * (decode_cnode_invocation); C src/object/cnode.c.
 */
import * as E from 'fp-ts/Either';
import { flow, identity, pipe } from 'fp-ts/function';
import { type SyscallError, deleteFirst, failedLookup, illegalOperation, missingCapability, truncatedMessage } from '../api/errors';
import { type InvocationLabel, invocationLabelOf } from '../api/invocationLabel';
import { ALL_RIGHTS, rightsFromWord } from '../api/rights';
import { kernelAssert, unreachable } from '../model/assert';
import { isCapRevocable, isMDBParentOf, maskCapRights, updateCapData } from '../model/capability';
import { cdtChildren, cdtInsert, cdtMove, cdtSwap, isOriginalCap } from '../model/cdt';
import { type Transition, getCap, setCap, slotOf } from '../model/heap';
import { type Preemptible, completed, preemptionPoint } from '../model/preemption';
import type { KernelState } from '../model/state';
import { type Cap, type SlotPtr, TCB_CALLER, nullCap } from '../model/structures';
import { type CapAndSlot, deriveCap, ensureEmptySlot, isFinalCapability, lookupPivotSlot, lookupSourceSlot, lookupTargetSlot } from '../kernel/cspace';
import { finaliseCap } from './finalise';
import { cancelBadgedSends, emptySlot } from './ipcCancel';

// ---------------------------------------------------------------- inserting and moving caps

/**
 * `setUntypedCapAsFull`: copying an untyped marks the source full, so only the
 * copy can allocate from now on.
 */
const setUntypedCapAsFull = (srcCap: Cap, newCap: Cap, src: SlotPtr): Transition =>
  srcCap._tag === 'UntypedCap' && newCap._tag === 'UntypedCap' && srcCap.ptr === newCap.ptr && srcCap.blockSize === newCap.blockSize
    ? setCap(src, { ...srcCap, freeIndex: 2 ** srcCap.blockSize })
    : identity;

/**
 * `cteInsert new src dest`: put a cap derived from src's cap into the empty
 * dest. It becomes src's child if src may parent it, else src's sibling.
 */
export const cteInsert =
  (newCap: Cap, src: SlotPtr, dest: SlotPtr): Transition =>
  (s) => {
    const srcCap = getCap(s, src);
    const destOriginal = isCapRevocable(newCap, srcCap);
    const srcIsParent = isMDBParentOf(srcCap, isOriginalCap(s, src), newCap, destOriginal);
    return pipe(s, setUntypedCapAsFull(srcCap, newCap, src), setCap(dest, newCap), cdtInsert(src, dest, srcIsParent, destOriginal));
  };

/** `cteMove new src dest`: dest takes src's cap (as `new`) and its place in the tree. */
export const cteMove = (newCap: Cap, src: SlotPtr, dest: SlotPtr): Transition => flow(setCap(dest, newCap), setCap(src, nullCap), cdtMove(src, dest));

/** `cteSwap`: two slots exchange caps (updated as given) and places in the tree. */
export const cteSwap = (cap1: Cap, slot1: SlotPtr, cap2: Cap, slot2: SlotPtr): Transition => flow(setCap(slot1, cap2), setCap(slot2, cap1), cdtSwap(slot1, slot2));

const capSwapForDelete =
  (slot1: SlotPtr, slot2: SlotPtr): Transition =>
  (s) =>
    slot1 === slot2 ? s : cteSwap(getCap(s, slot1), slot1, getCap(s, slot2), slot2)(s);

// ---------------------------------------------------------------- deleting

interface FinaliseResult extends Preemptible {
  readonly success: boolean;
  readonly info: Cap;
}

/** A Zombie may leave its slot once it has no slots left, or only the one it sits in. */
const capRemovable = (c: Cap, slot: SlotPtr): boolean => {
  if (c._tag === 'NullCap') return true;
  kernelAssert(c._tag === 'ZombieCap', 'finaliseCap should only return Zombie or NullCap');
  return c.number === 0 || (c.number === 1 && c.ptr === slot);
};

const capCyclicZombie = (c: Cap, slot: SlotPtr): boolean => c._tag === 'ZombieCap' && c.ptr === slot;

/**
 * `finaliseSlot`: finalise the cap in a slot until it is removable. A Zombie is
 * reduced slot by slot, with a preemption point after each step. An unexposed
 * deletion stops (unsuccessfully) at a Zombie that points at its own slot: that
 * Zombie belongs to the exposed deletion further up the recursion.
 */
const finaliseSlot = (slot: SlotPtr, exposed: boolean, s0: KernelState): FinaliseResult => {
  // Loop, not recursion (spec/README.md): a Zombie CNode may have a million slots to clear.
  let s = s0;
  for (;;) {
    const cap = getCap(s, slot);
    if (cap._tag === 'NullCap') return { state: s, preempted: false, success: true, info: nullCap };
    const fin = finaliseCap(s, cap, isFinalCapability(s, slot));
    s = fin.state;
    if (capRemovable(fin.remainder, slot)) return { state: s, preempted: false, success: true, info: fin.info };
    s = setCap(slot, fin.remainder)(s);
    if (!exposed && capCyclicZombie(fin.remainder, slot)) return { state: s, preempted: false, success: false, info: nullCap };
    const reduced = reduceZombie(fin.remainder, slot, exposed, s);
    if (reduced.preempted) return { ...reduced, success: false, info: nullCap };
    const p = preemptionPoint(reduced.state);
    if (p.preempted) return { ...p, success: false, info: nullCap };
    s = p.state;
  }
};

/**
 * `reduceZombie`: one step of destroying a Zombie's object. Exposed: delete its
 * highest remaining slot and count it down. Unexposed: swap the Zombie into its
 * object's first slot, so the recursion stays bounded.
 */
const reduceZombie = (z: Cap, slot: SlotPtr, exposed: boolean, s: KernelState): Preemptible => {
  kernelAssert(z._tag === 'ZombieCap' && z.number > 0, 'reduceZombie expects an unremovable Zombie');
  if (!exposed) {
    kernelAssert(z.ptr !== slot, 'cyclic zombie passed to unexposed reduceZombie');
    return pipe(s, capSwapForDelete(z.ptr, slot), completed);
  }
  const endSlot = slotOf(z.ptr, z.number - 1);
  const r = cteDelete(endSlot, false)(s);
  if (r.preempted) return r;
  const ours = getCap(r.state, slot);
  if (ours._tag === 'NullCap') return r;
  kernelAssert(ours._tag === 'ZombieCap', 'expected recursion to leave a Zombie');
  if (ours.ptr === z.ptr && ours.number === z.number && ours.zombieType._tag === z.zombieType._tag) {
    kernelAssert(getCap(r.state, endSlot)._tag === 'NullCap', 'expected cteDelete to clear the slot');
    return pipe(r.state, setCap(slot, { ...z, number: z.number - 1 }), completed);
  }
  kernelAssert(ours.ptr === slot && z.ptr !== slot, 'expected the new Zombie to be self-referential');
  return r;
};

/** `cteDelete slot exposed`: finalise the slot, then empty it (always, when exposed). */
export const cteDelete =
  (slot: SlotPtr, exposed: boolean) =>
  (s: KernelState): Preemptible => {
    const r = finaliseSlot(slot, exposed, s);
    if (r.preempted) return r;
    return pipe(r.state, exposed || r.success ? emptySlot(slot, r.info) : identity, completed);
  };

/** `cteRevoke`: delete every CDT descendant, first child first, with a preemption point after each. */
export const cteRevoke =
  (slot: SlotPtr) =>
  (s0: KernelState): Preemptible => {
    // Loop, not recursion (spec/README.md): a slot may have any number of descendants.
    let s = s0;
    for (;;) {
      if (getCap(s, slot)._tag === 'NullCap') return completed(s);
      const child = cdtChildren(s, slot)[0];
      if (child === undefined) return completed(s);
      const d = cteDelete(child, true)(s);
      if (d.preempted) return d;
      const p = preemptionPoint(d.state);
      if (p.preempted) return p;
      s = p.state;
    }
  };

// ---------------------------------------------------------------- invocations

export type CNodeInvocation =
  | { readonly _tag: 'Insert'; readonly label: InvocationLabel; readonly cap: Cap; readonly src: SlotPtr; readonly dest: SlotPtr }
  | { readonly _tag: 'Move'; readonly label: InvocationLabel; readonly cap: Cap; readonly src: SlotPtr; readonly dest: SlotPtr }
  | {
      readonly _tag: 'Rotate';
      readonly newSrcCap: Cap;
      readonly newPivotCap: Cap;
      readonly src: SlotPtr;
      readonly pivot: SlotPtr;
      readonly dest: SlotPtr;
    }
  | { readonly _tag: 'Revoke'; readonly slot: SlotPtr }
  | { readonly _tag: 'Delete'; readonly slot: SlotPtr }
  | { readonly _tag: 'SaveCaller'; readonly slot: SlotPtr }
  | { readonly _tag: 'CancelBadgedSends'; readonly cap: Cap };

const CNODE_LABELS: readonly InvocationLabel[] = [
  'CNodeRevoke',
  'CNodeDelete',
  'CNodeCancelBadgedSends',
  'CNodeCopy',
  'CNodeMint',
  'CNodeMove',
  'CNodeMutate',
  'CNodeRotate',
  'CNodeSaveCaller',
];

const hasCancelSendRights = (c: Cap): boolean => c._tag === 'EndpointCap' && c.canSend && c.canReceive && c.canGrant && c.canGrantReply;

const arg = (args: readonly number[], i: number): number => args[i] ?? 0;

/** The Copy / Mint / Move / Mutate family: derive (or move) a source cap into an empty slot. */
const decodeCopyFamily = (
  s: KernelState,
  label: InvocationLabel,
  args: readonly number[],
  dest: SlotPtr,
  extraCaps: readonly CapAndSlot[],
): E.Either<SyscallError, CNodeInvocation> => {
  const srcRoot = extraCaps[0];
  if (args.length < 4 || srcRoot === undefined) return E.left(truncatedMessage);
  const srcIndex = arg(args, 2);
  const srcDepth = arg(args, 3);
  return pipe(
    ensureEmptySlot(s, dest),
    E.flatMap(() => lookupSourceSlot(s, srcRoot.cap, srcIndex, srcDepth)),
    E.flatMap((src) => {
      const srcCap = getCap(s, src);
      if (srcCap._tag === 'NullCap') return E.left(failedLookup(true, missingCapability(srcDepth)));
      const isMove = label === 'CNodeMove' || label === 'CNodeMutate';
      let masked: Cap;
      let data: number | null = null;
      switch (label) {
        case 'CNodeCopy':
          if (args.length < 5) return E.left(truncatedMessage);
          masked = maskCapRights(rightsFromWord(arg(args, 4)), srcCap);
          break;
        case 'CNodeMint':
          if (args.length < 6) return E.left(truncatedMessage);
          masked = maskCapRights(rightsFromWord(arg(args, 4)), srcCap);
          data = arg(args, 5);
          break;
        case 'CNodeMove':
          masked = maskCapRights(rightsFromWord(ALL_RIGHTS), srcCap);
          break;
        default:
          if (args.length < 5) return E.left(truncatedMessage);
          masked = maskCapRights(rightsFromWord(ALL_RIGHTS), srcCap);
          data = arg(args, 4);
      }
      const updated = data === null ? masked : updateCapData(isMove, data, masked);
      return pipe(
        isMove ? E.right(updated) : deriveCap(s, src, updated),
        E.flatMap((cap) =>
          cap._tag === 'NullCap' ? E.left(illegalOperation) : E.right<SyscallError, CNodeInvocation>({ _tag: isMove ? 'Move' : 'Insert', label, cap, src, dest }),
        ),
      );
    }),
  );
};

const decodeRotate = (s: KernelState, args: readonly number[], dest: SlotPtr, extraCaps: readonly CapAndSlot[]): E.Either<SyscallError, CNodeInvocation> => {
  const pivotRoot = extraCaps[0];
  const srcRoot = extraCaps[1];
  if (args.length < 8 || pivotRoot === undefined || srcRoot === undefined) return E.left(truncatedMessage);
  const [, , pivotNewData = 0, pivotIndex = 0, pivotDepth = 0, srcNewData = 0, srcIndex = 0, srcDepth = 0] = args;
  return pipe(
    E.Do,
    E.bind('src', () => lookupSourceSlot(s, srcRoot.cap, srcIndex, srcDepth)),
    E.bind('pivot', () => lookupPivotSlot(s, pivotRoot.cap, pivotIndex, pivotDepth)),
    E.flatMap(({ src, pivot }) => {
      if (pivot === src || pivot === dest) return E.left(illegalOperation);
      if (src !== dest && getCap(s, dest)._tag !== 'NullCap') return E.left(deleteFirst);
      const srcCap = getCap(s, src);
      if (srcCap._tag === 'NullCap') return E.left(failedLookup(true, missingCapability(srcDepth)));
      const pivotCap = getCap(s, pivot);
      if (pivotCap._tag === 'NullCap') return E.left(failedLookup(false, missingCapability(pivotDepth)));
      // The data words follow the caps: dest_badge applies to the pivot's cap, pivot_badge to src's.
      const newSrcCap = updateCapData(true, srcNewData, srcCap);
      const newPivotCap = updateCapData(true, pivotNewData, pivotCap);
      if (newSrcCap._tag === 'NullCap' || newPivotCap._tag === 'NullCap') return E.left(illegalOperation);
      return E.right<SyscallError, CNodeInvocation>({ _tag: 'Rotate', newSrcCap, newPivotCap, src, pivot, dest });
    }),
  );
};

/** `decodeCNodeInvocation`: check a CNode invocation's label and arguments, in seL4's order. */
export const decodeCNodeInvocation = (
  s: KernelState,
  labelWord: number,
  args: readonly number[],
  cap: Cap,
  extraCaps: readonly CapAndSlot[],
): E.Either<SyscallError, CNodeInvocation> => {
  const label = invocationLabelOf(labelWord);
  if (!CNODE_LABELS.includes(label)) return E.left(illegalOperation);
  if (args.length < 2) return E.left(truncatedMessage);
  return pipe(
    lookupTargetSlot(s, cap, arg(args, 0), arg(args, 1)),
    E.flatMap((dest): E.Either<SyscallError, CNodeInvocation> => {
      switch (label) {
        case 'CNodeCopy':
        case 'CNodeMint':
        case 'CNodeMove':
        case 'CNodeMutate':
          return decodeCopyFamily(s, label, args, dest, extraCaps);
        case 'CNodeRevoke':
          return E.right({ _tag: 'Revoke', slot: dest });
        case 'CNodeDelete':
          return E.right({ _tag: 'Delete', slot: dest });
        case 'CNodeSaveCaller':
          return pipe(
            ensureEmptySlot(s, dest),
            E.map((): CNodeInvocation => ({ _tag: 'SaveCaller', slot: dest })),
          );
        case 'CNodeCancelBadgedSends': {
          const c = getCap(s, dest);
          return hasCancelSendRights(c) ? E.right({ _tag: 'CancelBadgedSends', cap: c }) : E.left(illegalOperation);
        }
        default:
          return decodeRotate(s, args, dest, extraCaps);
      }
    }),
  );
};

/** `invokeCNode`: perform a decoded CNode invocation (Delete and Revoke may be preempted). */
export const invokeCNode =
  (inv: CNodeInvocation) =>
  (s: KernelState): Preemptible => {
    switch (inv._tag) {
      case 'Revoke':
        return cteRevoke(inv.slot)(s);
      case 'Delete':
        return cteDelete(inv.slot, true)(s);
      case 'CancelBadgedSends':
        if (inv.cap._tag !== 'EndpointCap') return unreachable('CancelBadgedSends of a non-endpoint cap');
        return pipe(s, inv.cap.badge === 0 ? identity : cancelBadgedSends(inv.cap.ptr, inv.cap.badge), completed);
      case 'Insert':
        return pipe(s, cteInsert(inv.cap, inv.src, inv.dest), completed);
      case 'Move':
        return pipe(s, cteMove(inv.cap, inv.src, inv.dest), completed);
      case 'Rotate':
        // Rotating onto the source slot itself is a swap with the pivot.
        if (inv.src === inv.dest) return pipe(s, cteSwap(inv.newSrcCap, inv.src, inv.newPivotCap, inv.pivot), completed);
        return pipe(s, cteMove(inv.newPivotCap, inv.pivot, inv.dest), cteMove(inv.newSrcCap, inv.src, inv.pivot), completed);
      case 'SaveCaller': {
        const callerSlot = slotOf(s.curThread, TCB_CALLER);
        const cap = getCap(s, callerSlot);
        if (cap._tag === 'NullCap') return completed(s);
        kernelAssert(cap._tag === 'ReplyCap' && !cap.master, 'caller slot must hold a non-master reply cap');
        return pipe(s, cteMove(cap, callerSlot, inv.slot), completed);
      }
    }
  };
