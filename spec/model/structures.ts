/**
 * The abstract kernel's data: capabilities, thread states and kernel objects,
 * as plain immutable values tagged with `_tag`. Objects are named by their
 * physical address (a `PPtr`), cap slots by the address of the slot.
 *
 * seL4: Haskell Object/Structures.lhs, Object/Structures/ARM.lhs;
 * abstract spec Structures_A.thy, ARM/Arch_Structs_A.thy.
 */
import type { Fault } from '../api/errors';
import type { FrameSizeBits } from '../api/objectType';
import type { VMRights } from '../api/rights';

/** A physical address of a kernel object or frame. */
export type PPtr = number;
/** The physical address of a capability slot (a CTE in a CNode, or a TCB slot). */
export type SlotPtr = number;

// ---------------------------------------------------------------- capabilities

export interface NullCap {
  readonly _tag: 'NullCap';
}
export interface UntypedCap {
  readonly _tag: 'UntypedCap';
  readonly ptr: PPtr;
  readonly blockSize: number;
  /** Bytes already handed out from the start of the region (the watermark). */
  readonly freeIndex: number;
  readonly isDevice: boolean;
}
export interface EndpointCap {
  readonly _tag: 'EndpointCap';
  readonly ptr: PPtr;
  readonly badge: number;
  readonly canSend: boolean;
  readonly canReceive: boolean;
  readonly canGrant: boolean;
  readonly canGrantReply: boolean;
}
export interface NotificationCap {
  readonly _tag: 'NotificationCap';
  readonly ptr: PPtr;
  readonly badge: number;
  readonly canSend: boolean;
  readonly canReceive: boolean;
}
export interface ReplyCap {
  readonly _tag: 'ReplyCap';
  readonly tcb: PPtr;
  readonly master: boolean;
  readonly canGrant: boolean;
}
export interface CNodeCap {
  readonly _tag: 'CNodeCap';
  readonly ptr: PPtr;
  readonly radix: number;
  readonly guard: number;
  readonly guardSize: number;
}
export interface ThreadCap {
  readonly _tag: 'ThreadCap';
  readonly tcb: PPtr;
}
export interface IRQControlCap {
  readonly _tag: 'IRQControlCap';
}
export interface IRQHandlerCap {
  readonly _tag: 'IRQHandlerCap';
  readonly irq: number;
}
export type ZombieType = { readonly _tag: 'ZombieTCB' } | { readonly _tag: 'ZombieCNode'; readonly radix: number };
/** A cap whose object is being destroyed; `number` slots of it remain to be cleared. */
export interface ZombieCap {
  readonly _tag: 'ZombieCap';
  readonly ptr: PPtr;
  readonly zombieType: ZombieType;
  readonly number: number;
}
export interface DomainCap {
  readonly _tag: 'DomainCap';
}
export interface MappedAddress {
  readonly asid: number;
  readonly vaddr: number;
}
export interface FrameCap {
  readonly _tag: 'FrameCap';
  readonly ptr: PPtr;
  readonly sizeBits: FrameSizeBits;
  readonly rights: VMRights;
  readonly isDevice: boolean;
  readonly mapped: MappedAddress | null;
}
export interface PageTableCap {
  readonly _tag: 'PageTableCap';
  readonly ptr: PPtr;
  readonly mapped: MappedAddress | null;
}
export interface PageDirectoryCap {
  readonly _tag: 'PageDirectoryCap';
  readonly ptr: PPtr;
  readonly mappedASID: number | null;
}
export interface ASIDControlCap {
  readonly _tag: 'ASIDControlCap';
}
export interface ASIDPoolCap {
  readonly _tag: 'ASIDPoolCap';
  readonly ptr: PPtr;
  readonly asidBase: number;
}
export interface SGISignalCap {
  readonly _tag: 'SGISignalCap';
  readonly irq: number;
  readonly target: number;
}

export type Cap =
  | NullCap
  | UntypedCap
  | EndpointCap
  | NotificationCap
  | ReplyCap
  | CNodeCap
  | ThreadCap
  | IRQControlCap
  | IRQHandlerCap
  | ZombieCap
  | DomainCap
  | FrameCap
  | PageTableCap
  | PageDirectoryCap
  | ASIDControlCap
  | ASIDPoolCap
  | SGISignalCap;

export type CapTag = Cap['_tag'];

export const nullCap: NullCap = { _tag: 'NullCap' };

/** Caps of the ARM architecture (Haskell's ArchObjectCap). */
export const isArchCap = (c: Cap): boolean =>
  c._tag === 'FrameCap' || c._tag === 'PageTableCap' || c._tag === 'PageDirectoryCap' || c._tag === 'ASIDControlCap' || c._tag === 'ASIDPoolCap' || c._tag === 'SGISignalCap';

// ---------------------------------------------------------------- thread states

export type ThreadState =
  | { readonly _tag: 'Inactive' }
  | { readonly _tag: 'Running' }
  | { readonly _tag: 'Restart' }
  | { readonly _tag: 'BlockedOnReceive'; readonly ep: PPtr; readonly canGrant: boolean }
  | {
      readonly _tag: 'BlockedOnSend';
      readonly ep: PPtr;
      readonly badge: number;
      readonly canGrant: boolean;
      readonly canGrantReply: boolean;
      readonly isCall: boolean;
    }
  | { readonly _tag: 'BlockedOnReply' }
  | { readonly _tag: 'BlockedOnNotification'; readonly ntfn: PPtr }
  | { readonly _tag: 'IdleThreadState' };

export const inactive: ThreadState = { _tag: 'Inactive' };
export const running: ThreadState = { _tag: 'Running' };
export const restart: ThreadState = { _tag: 'Restart' };
export const blockedOnReply: ThreadState = { _tag: 'BlockedOnReply' };

/** Running or Restart: the states a thread may be scheduled in. */
export const isRunnable = (st: ThreadState): boolean => st._tag === 'Running' || st._tag === 'Restart';
/** Inactive or blocked: the states `restart` acts on. */
export const isStopped = (st: ThreadState): boolean =>
  st._tag === 'Inactive' || st._tag === 'BlockedOnReceive' || st._tag === 'BlockedOnSend' || st._tag === 'BlockedOnReply' || st._tag === 'BlockedOnNotification';

// ---------------------------------------------------------------- kernel objects

export type EndpointState =
  { readonly _tag: 'IdleEP' } | { readonly _tag: 'SendEP'; readonly queue: readonly PPtr[] } | { readonly _tag: 'RecvEP'; readonly queue: readonly PPtr[] };

export interface Endpoint {
  readonly _tag: 'Endpoint';
  readonly state: EndpointState;
}

export type NotificationState =
  { readonly _tag: 'IdleNtfn' } | { readonly _tag: 'WaitingNtfn'; readonly queue: readonly PPtr[] } | { readonly _tag: 'ActiveNtfn'; readonly badge: number };

export interface Notification {
  readonly _tag: 'Notification';
  readonly state: NotificationState;
  readonly boundTCB: PPtr | null;
}

export { TCB_BUFFER, TCB_CALLER, TCB_CTABLE, TCB_REPLY, TCB_SLOT_COUNT, TCB_VTABLE } from '../api/config';

export interface TCB {
  readonly _tag: 'TCB';
  readonly state: ThreadState;
  readonly fault: Fault | null;
  readonly priority: number;
  readonly mcp: number;
  readonly domain: number;
  readonly timeSlice: number;
  /** A cptr in the thread's own CSpace, looked up when a fault happens. */
  readonly faultHandler: number;
  /** The IPC buffer's user virtual address. */
  readonly ipcBuffer: number;
  readonly boundNotification: PPtr | null;
  readonly flags: number;
  /** The user register file, indexed as spec/api/registers. */
  readonly context: readonly number[];
}

/** A CNode's slots are in the state's cap map; the object records its size. */
export interface CNode {
  readonly _tag: 'CNode';
  readonly radix: number;
}

/** A user frame; its contents are in the state's user memory. */
export interface Frame {
  readonly _tag: 'Frame';
  readonly sizeBits: FrameSizeBits;
  readonly isDevice: boolean;
}

export interface VMAttributes {
  readonly cacheable: boolean;
  readonly parity: boolean;
  readonly executeNever: boolean;
}

export type PTE =
  | { readonly _tag: 'SmallPagePTE'; readonly frame: PPtr; readonly rights: VMRights; readonly attributes: VMAttributes }
  | { readonly _tag: 'LargePagePTE'; readonly frame: PPtr; readonly rights: VMRights; readonly attributes: VMAttributes };

export type PDE =
  | { readonly _tag: 'PageTablePDE'; readonly table: PPtr; readonly parity: boolean }
  | { readonly _tag: 'SectionPDE'; readonly frame: PPtr; readonly rights: VMRights; readonly attributes: VMAttributes }
  | { readonly _tag: 'SuperSectionPDE'; readonly frame: PPtr; readonly rights: VMRights; readonly attributes: VMAttributes };

/** Page table: the non-invalid entries by index (0..255). */
export interface PageTable {
  readonly _tag: 'PageTable';
  readonly entries: ReadonlyMap<number, PTE>;
}

/** Page directory: the non-invalid user entries by index (0..0xEFF); the kernel window is not modelled as entries. */
export interface PageDirectory {
  readonly _tag: 'PageDirectory';
  readonly entries: ReadonlyMap<number, PDE>;
}

/** ASID pool: the page directory of each assigned ASID (by the ASID's low 10 bits). */
export interface ASIDPool {
  readonly _tag: 'ASIDPool';
  readonly entries: ReadonlyMap<number, PPtr>;
}

export type KernelObject = TCB | Endpoint | Notification | CNode | Frame | PageTable | PageDirectory | ASIDPool;
export type ObjectTag = KernelObject['_tag'];
