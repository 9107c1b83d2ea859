/**
 * CNodes and the MDB list on packed slots: cteInsert links the new cap right
 * after its source, cteMove and cteSwap relink neighbours, deletion reduces
 * Zombies slot by slot, revoke deletes the run of list entries the slot is an
 * MDB parent of; and the CNode invocations: decodeCNodeInvocation does the
 * checks and calls the invokeCNodeX that performs them.
 *
 * Names and argument order are C's (`arg` for C's buffer); the spec twin's are
 * Haskell's (decode into a CNodeInvocation, one invokeCNode).
 *
 * seL4: C src/object/cnode.c; spec twin: spec/object/cnode.ts.
 */
import { ALL_RIGHTS, type InvocationLabel, failedLookup, invocationLabelOf, missingCapability, LABEL } from '../../spec/api';
import { rightsFromWord } from '../model/abi';
import { Cap, CapTag, type CapT, Mdb, TS, capGet, capSet, capType, nullCapT, setField } from '../model/layout';
import { getMdbNode, getSlotCap, mdbNext, mdbNodeNext, mdbNodePrev, nullMdbNode, setMdbNext, setMdbNode, setMdbPrev, setSlotCap, slotPtr } from '../model/heap';
import { KernelBug } from '../model/memory';
import { isCapRevocable, maskCapRights, updateCapData, zombieCapNew, zombieNumber, zombiePtr, zombieType } from '../model/capability';
import { EXCEPTION_NONE, type Exception, type Kernel, syscallError } from '../model/state';
import { seam } from '../model/seam';
import { deriveCap, ensureEmptySlot, isFinalCapability, isMDBParentOf, lookupPivotSlot, lookupSourceSlot, lookupTargetSlot } from '../kernel/cspace';
import { preemptionPoint } from '../kernel/preemption';
import { setThreadState } from '../kernel/thread';
import { finaliseCap } from './finalise';
import { cancelBadgedSends, emptySlot } from './ipcCancel';

const TCB_CALLER_SLOT = 3;

// ---------------------------------------------------------------- inserting and moving caps

const setUntypedCapAsFull = (k: Kernel, srcCap: CapT, newCap: CapT, srcSlot: number): void => {
  if (
    capType(srcCap) === CapTag.Untyped &&
    capType(newCap) === CapTag.Untyped &&
    capGet(srcCap, Cap.Untyped.ptr) === capGet(newCap, Cap.Untyped.ptr) &&
    capGet(srcCap, Cap.Untyped.blockSize) === capGet(newCap, Cap.Untyped.blockSize)
  )
    setSlotCap(k, srcSlot, capSet(srcCap, Cap.Untyped.freeIndex, 2 ** capGet(srcCap, Cap.Untyped.blockSize)));
};

/** `cteInsert`: link dest right after src in the MDB list, revocable iff the new cap may parent. */
export const cteInsert = seam('cteInsert', (k: Kernel, newCap: CapT, srcSlot: number, destSlot: number): void => {
  const srcMDB = getMdbNode(k, srcSlot);
  const srcCap = getSlotCap(k, srcSlot);
  const revocable = isCapRevocable(newCap, srcCap);
  setUntypedCapAsFull(k, srcCap, newCap, srcSlot);
  setSlotCap(k, destSlot, newCap);
  // dest's node: src's next, src as prev, its own flags; written once, as C builds it with mdb_node_new.
  const flag = revocable ? 1 : 0;
  setMdbNode(k, destSlot, {
    w0: setField(setField(srcMDB.w0, Mdb.revocable, flag), Mdb.firstBadged, flag),
    w1: setField(srcMDB.w1, Mdb.prev, srcSlot),
  });
  setMdbNext(k, srcSlot, destSlot);
  const next = mdbNodeNext(srcMDB);
  if (next !== 0) setMdbPrev(k, next, destSlot);
});

/** `cteMove`: dest takes src's cap (as given) and its MDB node; the neighbours point to dest. */
export const cteMove = seam('cteMove', (k: Kernel, newCap: CapT, srcSlot: number, destSlot: number): void => {
  const mdb = getMdbNode(k, srcSlot);
  setSlotCap(k, destSlot, newCap);
  setSlotCap(k, srcSlot, nullCapT);
  setMdbNode(k, destSlot, mdb);
  setMdbNode(k, srcSlot, nullMdbNode);
  const prev = mdbNodePrev(mdb);
  if (prev !== 0) setMdbNext(k, prev, destSlot);
  const next = mdbNodeNext(mdb);
  if (next !== 0) setMdbPrev(k, next, destSlot);
});

/** `cteSwap`: exchange caps and list positions (correct even for neighbouring slots). */
export const cteSwap = (k: Kernel, cap1: CapT, slot1: number, cap2: CapT, slot2: number): void => {
  setSlotCap(k, slot1, cap2);
  setSlotCap(k, slot2, cap1);
  const mdb1 = getMdbNode(k, slot1);
  const prev1 = mdbNodePrev(mdb1);
  const next1 = mdbNodeNext(mdb1);
  if (prev1 !== 0) setMdbNext(k, prev1, slot2);
  if (next1 !== 0) setMdbPrev(k, next1, slot2);
  const mdb2 = getMdbNode(k, slot2);
  setMdbNode(k, slot1, mdb2);
  setMdbNode(k, slot2, mdb1);
  const prev2 = mdbNodePrev(mdb2);
  const next2 = mdbNodeNext(mdb2);
  if (prev2 !== 0) setMdbNext(k, prev2, slot1);
  if (next2 !== 0) setMdbPrev(k, next2, slot1);
};

const capSwapForDelete = (k: Kernel, slot1: number, slot2: number): void => {
  if (slot1 === slot2) return;
  cteSwap(k, getSlotCap(k, slot1), slot1, getSlotCap(k, slot2), slot2);
};

// ---------------------------------------------------------------- deleting

const capRemovable = (cap: CapT, slot: number): boolean => {
  const t = capType(cap);
  if (t === CapTag.Null) return true;
  if (t !== CapTag.Zombie) throw new KernelBug('finaliseCap should only return Zombie or NullCap');
  const n = zombieNumber(cap);
  return n === 0 || (n === 1 && slot === zombiePtr(cap));
};

const capCyclicZombie = (cap: CapT, slot: number): boolean => capType(cap) === CapTag.Zombie && zombiePtr(cap) === slot;

interface FinaliseSlotRet {
  readonly status: Exception;
  readonly success: boolean;
  readonly cleanupInfo: CapT;
}

const finaliseSlot = (k: Kernel, slot: number, immediate: boolean): FinaliseSlotRet => {
  while (capType(getSlotCap(k, slot)) !== CapTag.Null) {
    const final = isFinalCapability(k, slot);
    const fc = finaliseCap(k, getSlotCap(k, slot), final);
    if (capRemovable(fc.remainder, slot)) return { status: EXCEPTION_NONE, success: true, cleanupInfo: fc.cleanupInfo };
    setSlotCap(k, slot, fc.remainder);
    if (!immediate && capCyclicZombie(fc.remainder, slot)) return { status: EXCEPTION_NONE, success: false, cleanupInfo: fc.cleanupInfo };
    let status = reduceZombie(k, slot, immediate);
    if (status !== EXCEPTION_NONE) return { status, success: false, cleanupInfo: nullCapT };
    status = preemptionPoint(k);
    if (status !== EXCEPTION_NONE) return { status, success: false, cleanupInfo: nullCapT };
  }
  return { status: EXCEPTION_NONE, success: true, cleanupInfo: nullCapT };
};

const reduceZombie = (k: Kernel, slot: number, immediate: boolean): Exception => {
  const z = getSlotCap(k, slot);
  const ptr = zombiePtr(z);
  const n = zombieNumber(z);
  const type = zombieType(z);
  if (n === 0) throw new KernelBug('reduceZombie: expected an unremovable zombie');
  if (immediate) {
    const endSlot = slotPtr(ptr, n - 1);
    const status = cteDelete(k, endSlot, false);
    if (status !== EXCEPTION_NONE) return status;
    const cur = getSlotCap(k, slot);
    const t = capType(cur);
    if (t === CapTag.Null) return EXCEPTION_NONE;
    if (t !== CapTag.Zombie) throw new KernelBug('expected recursion to result in a zombie');
    if (zombiePtr(cur) === ptr && zombieNumber(cur) === n && zombieType(cur) === type) {
      if (capType(getSlotCap(k, endSlot)) !== CapTag.Null) throw new KernelBug('expected cteDelete to clear the slot');
      setSlotCap(k, slot, zombieCapNew(ptr, type, n - 1));
    } else if (!(zombiePtr(cur) === slot && ptr !== slot)) {
      throw new KernelBug('expected the new zombie to be self-referential');
    }
    return EXCEPTION_NONE;
  }
  if (ptr === slot) throw new KernelBug('cyclic zombie passed to unexposed reduceZombie');
  capSwapForDelete(k, ptr, slot);
  return EXCEPTION_NONE;
};

export const cteDelete = (k: Kernel, slot: number, exposed: boolean): Exception => {
  const fs = finaliseSlot(k, slot, exposed);
  if (fs.status !== EXCEPTION_NONE) return fs.status;
  if (exposed || fs.success) emptySlot(k, slot, fs.cleanupInfo);
  return EXCEPTION_NONE;
};

/** `cteRevoke`: delete the entries after the slot for as long as it is their MDB parent. */
export const cteRevoke = seam('cteRevoke', (k: Kernel, slot: number): Exception => {
  let next = mdbNext(k, slot);
  while (next !== 0 && isMDBParentOf(k, slot, next)) {
    let status = cteDelete(k, next, true);
    if (status !== EXCEPTION_NONE) return status;
    status = preemptionPoint(k);
    if (status !== EXCEPTION_NONE) return status;
    next = mdbNext(k, slot);
  }
  return EXCEPTION_NONE;
});

// ---------------------------------------------------------------- invocations

const hasCancelSendRights = (c: CapT): boolean =>
  capType(c) === CapTag.Endpoint &&
  capGet(c, Cap.Endpoint.canSend) === 1 &&
  capGet(c, Cap.Endpoint.canReceive) === 1 &&
  capGet(c, Cap.Endpoint.canGrant) === 1 &&
  capGet(c, Cap.Endpoint.canGrantReply) === 1;

/** A Mint's new cap: the source's cap, rights already masked, with the badge (or guard) word applied, unpreserved. */
export const mintedCap = seam('mintedCap', (_k: Kernel, masked: CapT, capData: number): CapT => updateCapData(false, capData, masked));

/** `decodeCNodeInvocation`: every check in seL4's order, then (with the caller in Restart) the invoke. */
export const decodeCNodeInvocation = seam('decodeCNodeInvocation', (k: Kernel, labelWord: number, length: number, cap: CapT, arg: (i: number) => number): Exception => {
  if (labelWord < LABEL.CNodeRevoke || labelWord > LABEL.CNodeSaveCaller) return syscallError(k, { _tag: 'IllegalOperation' });
  if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
  const label: InvocationLabel = invocationLabelOf(labelWord);
  const lu = lookupTargetSlot(k, cap, arg(0), arg(1));
  if (lu.status !== EXCEPTION_NONE) return lu.status;
  const destSlot = lu.slot;
  const extraCaps = k.currentExtraCaps;

  if (label === 'CNodeCopy' || label === 'CNodeMint' || label === 'CNodeMove' || label === 'CNodeMutate') {
    const srcRootSlot = extraCaps[0];
    if (length < 4 || srcRootSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
    const srcIndex = arg(2);
    const srcDepth = arg(3);
    const srcRoot = getSlotCap(k, srcRootSlot);
    const status = ensureEmptySlot(k, destSlot);
    if (status !== EXCEPTION_NONE) return status;
    const src = lookupSourceSlot(k, srcRoot, srcIndex, srcDepth);
    if (src.status !== EXCEPTION_NONE) return src.status;
    const srcSlot = src.slot;
    const srcCap = getSlotCap(k, srcSlot);
    if (capType(srcCap) === CapTag.Null) return syscallError(k, failedLookup(true, missingCapability(srcDepth)));
    let newCap: CapT;
    let isMove: boolean;
    switch (label) {
      case 'CNodeCopy': {
        if (length < 5) return syscallError(k, { _tag: 'TruncatedMessage' });
        const d = deriveCap(k, srcSlot, maskCapRights(rightsFromWord(arg(4)), srcCap));
        if (d.status !== EXCEPTION_NONE) return d.status;
        newCap = d.cap;
        isMove = false;
        break;
      }
      case 'CNodeMint': {
        if (length < 6) return syscallError(k, { _tag: 'TruncatedMessage' });
        const d = deriveCap(k, srcSlot, mintedCap(k, maskCapRights(rightsFromWord(arg(4)), srcCap), arg(5)));
        if (d.status !== EXCEPTION_NONE) return d.status;
        newCap = d.cap;
        isMove = false;
        break;
      }
      case 'CNodeMove':
        newCap = maskCapRights(rightsFromWord(ALL_RIGHTS), srcCap);
        isMove = true;
        break;
      default:
        if (length < 5) return syscallError(k, { _tag: 'TruncatedMessage' });
        newCap = updateCapData(true, arg(4), srcCap);
        isMove = true;
    }
    if (capType(newCap) === CapTag.Null) return syscallError(k, { _tag: 'IllegalOperation' });
    setThreadState(k, k.ksCurThread, TS.Restart);
    if (isMove) return invokeCNodeMove(k, newCap, srcSlot, destSlot);
    return invokeCNodeInsert(k, newCap, srcSlot, destSlot);
  }

  if (label === 'CNodeRevoke') {
    setThreadState(k, k.ksCurThread, TS.Restart);
    return invokeCNodeRevoke(k, destSlot);
  }

  if (label === 'CNodeDelete') {
    setThreadState(k, k.ksCurThread, TS.Restart);
    return invokeCNodeDelete(k, destSlot);
  }

  if (label === 'CNodeSaveCaller') {
    const status = ensureEmptySlot(k, destSlot);
    if (status !== EXCEPTION_NONE) return status;
    setThreadState(k, k.ksCurThread, TS.Restart);
    return invokeCNodeSaveCaller(k, destSlot);
  }

  if (label === 'CNodeCancelBadgedSends') {
    const destCap = getSlotCap(k, destSlot);
    if (!hasCancelSendRights(destCap)) return syscallError(k, { _tag: 'IllegalOperation' });
    setThreadState(k, k.ksCurThread, TS.Restart);
    return invokeCNodeCancelBadgedSends(k, destCap);
  }

  // CNodeRotate
  const pivotRootSlot = extraCaps[0];
  const srcRootSlot = extraCaps[1];
  if (length < 8 || pivotRootSlot === undefined || srcRootSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const pivotNewData = arg(2);
  const pivotIndex = arg(3);
  const pivotDepth = arg(4);
  const srcNewData = arg(5);
  const srcIndex = arg(6);
  const srcDepth = arg(7);
  const pivotRoot = getSlotCap(k, pivotRootSlot);
  const srcRoot = getSlotCap(k, srcRootSlot);
  const src = lookupSourceSlot(k, srcRoot, srcIndex, srcDepth);
  if (src.status !== EXCEPTION_NONE) return src.status;
  const pivot = lookupPivotSlot(k, pivotRoot, pivotIndex, pivotDepth);
  if (pivot.status !== EXCEPTION_NONE) return pivot.status;
  const srcSlot = src.slot;
  const pivotSlot = pivot.slot;
  if (pivotSlot === srcSlot || pivotSlot === destSlot) return syscallError(k, { _tag: 'IllegalOperation' });
  if (srcSlot !== destSlot) {
    const status = ensureEmptySlot(k, destSlot);
    if (status !== EXCEPTION_NONE) return status;
  }
  const srcCap = getSlotCap(k, srcSlot);
  if (capType(srcCap) === CapTag.Null) return syscallError(k, failedLookup(true, missingCapability(srcDepth)));
  const pivotCap = getSlotCap(k, pivotSlot);
  if (capType(pivotCap) === CapTag.Null) return syscallError(k, failedLookup(false, missingCapability(pivotDepth)));
  const newSrcCap = updateCapData(true, srcNewData, srcCap);
  const newPivotCap = updateCapData(true, pivotNewData, pivotCap);
  if (capType(newSrcCap) === CapTag.Null || capType(newPivotCap) === CapTag.Null) return syscallError(k, { _tag: 'IllegalOperation' });
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeCNodeRotate(k, newSrcCap, newPivotCap, srcSlot, pivotSlot, destSlot);
});

export const invokeCNodeRevoke = (k: Kernel, destSlot: number): Exception => cteRevoke(k, destSlot);

export const invokeCNodeDelete = (k: Kernel, destSlot: number): Exception => cteDelete(k, destSlot, true);

export const invokeCNodeCancelBadgedSends = (k: Kernel, cap: CapT): Exception => {
  const badge = capGet(cap, Cap.Endpoint.badge);
  if (badge !== 0) cancelBadgedSends(k, capGet(cap, Cap.Endpoint.ptr), badge);
  return EXCEPTION_NONE;
};

export const invokeCNodeInsert = (k: Kernel, cap: CapT, srcSlot: number, destSlot: number): Exception => {
  cteInsert(k, cap, srcSlot, destSlot);
  return EXCEPTION_NONE;
};

export const invokeCNodeMove = (k: Kernel, cap: CapT, srcSlot: number, destSlot: number): Exception => {
  cteMove(k, cap, srcSlot, destSlot);
  return EXCEPTION_NONE;
};

/** Rotating onto the source slot itself is a swap with the pivot. */
export const invokeCNodeRotate = (k: Kernel, cap1: CapT, cap2: CapT, slot1: number, slot2: number, slot3: number): Exception => {
  if (slot1 === slot3) {
    cteSwap(k, cap1, slot1, cap2, slot2);
  } else {
    cteMove(k, cap2, slot2, slot3);
    cteMove(k, cap1, slot1, slot2);
  }
  return EXCEPTION_NONE;
};

export const invokeCNodeSaveCaller = (k: Kernel, destSlot: number): Exception => {
  const srcSlot = slotPtr(k.ksCurThread, TCB_CALLER_SLOT);
  const cap = getSlotCap(k, srcSlot);
  if (capType(cap) === CapTag.Reply) cteMove(k, cap, srcSlot, destSlot);
  else if (capType(cap) !== CapTag.Null) throw new KernelBug('caller slot holds neither a reply cap nor null');
  return EXCEPTION_NONE;
};
