/**
 * Word-level access to objects in physical memory: the cap and MDB words of a
 * slot, TCB fields and thread-state words, endpoint and notification words.
 * Every field goes through the layouts of layout.ts.
 *
 * seL4: the generated accessors of structures_32.bf and C's tcb_t / cte_t;
 * spec twin: spec/model/heap.ts.
 */
import { TCB_OFFSET } from '../../spec/api';
import { type CapT, CTE_BYTES, CTE_CAP_W0, CTE_CAP_W1, CTE_MDB_W0, CTE_MDB_W1, type Field, Mdb, Tcb, ThreadStateW, getField, setField } from './layout';
import type { Kernel } from './state';

// ---------------------------------------------------------------- generic object words

/** Read a field of an object whose fields are word `f.word` from `obj`. */
export const objGet = (k: Kernel, obj: number, f: Field): number => getField(k.mem.load(obj + 4 * f.word), f);
export const objSet = (k: Kernel, obj: number, f: Field, v: number): void => {
  const a = obj + 4 * f.word;
  k.mem.store(a, setField(k.mem.load(a), f, v));
};

// ---------------------------------------------------------------- slots

/** The address of slot `index` of a CNode (or of a TCB's slot area). */
export const slotPtr = (obj: number, index: number): number => obj + index * CTE_BYTES;

export const getSlotCap = (k: Kernel, slot: number): CapT => ({
  w0: k.mem.load(slot + 4 * CTE_CAP_W0),
  w1: k.mem.load(slot + 4 * CTE_CAP_W1),
});

export const setSlotCap = (k: Kernel, slot: number, c: CapT): void => {
  k.mem.store(slot + 4 * CTE_CAP_W0, c.w0);
  k.mem.store(slot + 4 * CTE_CAP_W1, c.w1);
};

/** MDB fields are words 0 and 1 of the slot's MDB node. */
const mdbGet = (k: Kernel, slot: number, f: Field): number => objGet(k, slot + 4 * CTE_MDB_W0, f);
const mdbSet = (k: Kernel, slot: number, f: Field, v: number): void => objSet(k, slot + 4 * CTE_MDB_W0, f, v);

export const mdbNext = (k: Kernel, slot: number): number => mdbGet(k, slot, Mdb.next);
export const mdbPrev = (k: Kernel, slot: number): number => mdbGet(k, slot, Mdb.prev);
export const mdbRevocable = (k: Kernel, slot: number): boolean => mdbGet(k, slot, Mdb.revocable) === 1;
export const mdbFirstBadged = (k: Kernel, slot: number): boolean => mdbGet(k, slot, Mdb.firstBadged) === 1;
export const setMdbNext = (k: Kernel, slot: number, v: number): void => mdbSet(k, slot, Mdb.next, v);
export const setMdbPrev = (k: Kernel, slot: number, v: number): void => mdbSet(k, slot, Mdb.prev, v);
export const setMdbFirstBadged = (k: Kernel, slot: number, v: boolean): void => mdbSet(k, slot, Mdb.firstBadged, v ? 1 : 0);

/** The two MDB words of a slot, copied as a unit (C's mdb_node_t). */
export interface MdbNode {
  readonly w0: number;
  readonly w1: number;
}
export const getMdbNode = (k: Kernel, slot: number): MdbNode => ({
  w0: k.mem.load(slot + 4 * CTE_MDB_W0),
  w1: k.mem.load(slot + 4 * CTE_MDB_W1),
});
export const setMdbNode = (k: Kernel, slot: number, n: MdbNode): void => {
  k.mem.store(slot + 4 * CTE_MDB_W0, n.w0);
  k.mem.store(slot + 4 * CTE_MDB_W1, n.w1);
};
export const nullMdbNode: MdbNode = { w0: 0, w1: 0 };
/** The node of an original cap with no MDB neighbours: revocable and first-badged, as boot and setupReplyMaster make them. */
export const originalMdbNode: MdbNode = { w0: setField(setField(0, Mdb.revocable, 1), Mdb.firstBadged, 1), w1: 0 };
export const mdbNodeNext = (n: MdbNode): number => getField(n.w0, Mdb.next);
export const mdbNodePrev = (n: MdbNode): number => getField(n.w1, Mdb.prev);

// ---------------------------------------------------------------- TCB fields

/** The address of TCB field word `index` (see layout.Tcb). */
export const tcbFieldPtr = (tcb: number, index: number): number => tcb + TCB_OFFSET + 4 * index;

export const tcbGet = (k: Kernel, tcb: number, index: number): number => k.mem.load(tcbFieldPtr(tcb, index));
export const tcbSet = (k: Kernel, tcb: number, index: number, v: number): void => k.mem.store(tcbFieldPtr(tcb, index), v >>> 0);

export const getRegister = (k: Kernel, tcb: number, reg: number): number => tcbGet(k, tcb, Tcb.context + reg);
export const setRegister = (k: Kernel, tcb: number, reg: number, v: number): void => tcbSet(k, tcb, Tcb.context + reg, v);

/** Thread-state fields are words 0..2 from the TCB's state word. */
export const tsGet = (k: Kernel, tcb: number, f: Field): number => objGet(k, tcbFieldPtr(tcb, Tcb.state0), f);
export const tsSet = (k: Kernel, tcb: number, f: Field, v: number): void => objSet(k, tcbFieldPtr(tcb, Tcb.state0), f, v);

export const threadStateType = (k: Kernel, tcb: number): number => tsGet(k, tcb, ThreadStateW.tsType);
export const isQueued = (k: Kernel, tcb: number): boolean => tsGet(k, tcb, ThreadStateW.tcbQueued) === 1;
