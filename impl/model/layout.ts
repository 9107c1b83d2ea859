/**
 * Every bit-packed layout of the concrete kernel, in one declarative table (the
 * counterpart of seL4's structures_32.bf): caps and MDB nodes in 16-byte
 * slots, endpoint and notification words, TCB fields and thread-state words,
 * stored faults and lookup failures, and ARM short-descriptor PDEs and PTEs.
 * The kernel and the abstraction function both read fields through it.
 *
 * The widths follow seL4's 32-bit layouts; the positions are this project's.
 */

// ---------------------------------------------------------------- fields

/** A field of `bits` bits at `shift` in word `word`; the value is stored shifted right by `lshift`. */
export interface Field {
  readonly word: number;
  readonly shift: number;
  readonly bits: number;
  readonly lshift: number;
}

const field = (word: number, shift: number, bits: number, lshift = 0): Field => ({ word, shift, bits, lshift });
/** A pointer aligned to 2^align stored in the top bits of a word. */
const pointer = (word: number, align: number): Field => field(word, align, 32 - align, align);

const maskOf = (bits: number): number => (bits >= 32 ? 0xffffffff : (1 << bits) - 1);

export const getField = (w: number, f: Field): number => (((w >>> f.shift) & maskOf(f.bits)) << f.lshift) >>> 0;

export const setField = (w: number, f: Field, v: number): number => {
  const m = (maskOf(f.bits) << f.shift) >>> 0;
  return ((w & ~m) | (((v >>> f.lshift) << f.shift) & m)) >>> 0;
};

// ---------------------------------------------------------------- caps (2 words)

/** A cap_t: two words, passed by value as in C. */
export interface CapT {
  readonly w0: number;
  readonly w1: number;
}

export const CapTag = {
  Null: 0x00,
  SmallFrame: 0x01,
  Untyped: 0x02,
  Frame: 0x03,
  Endpoint: 0x04,
  ASIDPool: 0x05,
  Notification: 0x06,
  PageTable: 0x07,
  Reply: 0x08,
  PageDirectory: 0x09,
  CNode: 0x0a,
  ASIDControl: 0x0b,
  Thread: 0x0c,
  IRQControl: 0x0e,
  IRQHandler: 0x1e,
  Zombie: 0x2e,
  Domain: 0x3e,
  SGISignal: 0x3f,
} as const;

/** The cap type tag: 4 bits, extended to 8 when the low nibble is 0xE or 0xF. */
export const capType = (c: CapT): number => {
  const t = c.w0 & 0xf;
  return t >= 0xe ? c.w0 & 0xff : t;
};

export const Cap = {
  Untyped: {
    ptr: pointer(0, 4),
    blockSize: field(1, 0, 5),
    isDevice: field(1, 5, 1),
    /** Bytes, stored in 16-byte units. */
    freeIndex: field(1, 6, 26, 4),
  },
  Endpoint: {
    ptr: pointer(0, 4),
    canSend: field(1, 0, 1),
    canReceive: field(1, 1, 1),
    canGrant: field(1, 2, 1),
    canGrantReply: field(1, 3, 1),
    badge: field(1, 4, 28),
  },
  Notification: {
    ptr: pointer(0, 4),
    canSend: field(1, 0, 1),
    canReceive: field(1, 1, 1),
    badge: field(1, 4, 28),
  },
  Reply: {
    master: field(0, 4, 1),
    canGrant: field(0, 5, 1),
    tcb: pointer(0, 9),
  },
  CNode: {
    ptr: pointer(0, 5),
    guard: field(1, 0, 18),
    radix: field(1, 18, 5),
    guardSize: field(1, 23, 5),
  },
  Thread: { tcb: pointer(0, 4) },
  IRQHandler: { irq: field(1, 0, 8) },
  Zombie: {
    /** 32 for a TCB, else the CNode's radix. */
    type: field(0, 8, 6),
    /** The object pointer with the remaining-slot count in its low bits. */
    id: field(1, 0, 32),
  },
  SmallFrame: {
    asidHigh: field(0, 4, 7),
    isDevice: field(0, 11, 1),
    base: pointer(0, 12),
    asidLow: field(1, 0, 10),
    rights: field(1, 10, 2),
    mappedAddress: pointer(1, 12),
  },
  Frame: {
    asidHigh: field(0, 4, 7),
    isDevice: field(0, 11, 1),
    /** 1 = 64 KiB, 2 = 1 MiB, 3 = 16 MiB. */
    sizeCode: field(0, 12, 2),
    base: pointer(0, 16),
    asidLow: field(1, 0, 10),
    rights: field(1, 10, 2),
    mappedAddress: pointer(1, 16),
  },
  PageTable: {
    isMapped: field(0, 4, 1),
    ptr: pointer(0, 10),
    asid: field(1, 0, 17),
    mappedAddress: pointer(1, 20),
  },
  PageDirectory: {
    isMapped: field(0, 4, 1),
    ptr: pointer(0, 14),
    asid: field(1, 0, 17),
  },
  ASIDPool: { ptr: pointer(0, 12), asidBase: field(1, 0, 17) },
  SGISignal: { irq: field(0, 8, 4), target: field(1, 0, 32) },
} as const;

export const ZOMBIE_TYPE_TCB = 32;

export const capGet = (c: CapT, f: Field): number => getField(f.word === 0 ? c.w0 : c.w1, f);

export const capSet = (c: CapT, f: Field, v: number): CapT => (f.word === 0 ? { w0: setField(c.w0, f, v), w1: c.w1 } : { w0: c.w0, w1: setField(c.w1, f, v) });

export const nullCapT: CapT = { w0: 0, w1: 0 };

/** A cap of the given tag with every field zero. */
export const capOfType = (tag: number): CapT => ({ w0: tag, w1: 0 });

// ---------------------------------------------------------------- CTEs and MDB nodes

export const CTE_BYTES = 16;
/** Word offsets inside a CTE. */
export const CTE_CAP_W0 = 0;
export const CTE_CAP_W1 = 1;
export const CTE_MDB_W0 = 2;
export const CTE_MDB_W1 = 3;

export const Mdb = {
  firstBadged: field(0, 0, 1),
  revocable: field(0, 1, 1),
  next: pointer(0, 4),
  prev: pointer(1, 4),
} as const;

// ---------------------------------------------------------------- endpoints and notifications

export const Endpoint = {
  queueHead: pointer(0, 4),
  state: field(1, 0, 2),
  queueTail: pointer(1, 4),
} as const;
export const EP_IDLE = 0;
export const EP_SEND = 1;
export const EP_RECV = 2;

export const Notification = {
  boundTCB: pointer(0, 4),
  msgIdentifier: field(1, 0, 32),
  queueHead: pointer(2, 4),
  state: field(3, 0, 2),
  queueTail: pointer(3, 4),
} as const;
export const NTFN_IDLE = 0;
export const NTFN_WAITING = 1;
export const NTFN_ACTIVE = 2;

// ---------------------------------------------------------------- TCBs

/** Word index of each TCB field, counted from the TCB's fields (object base + TCB_OFFSET). */
export const Tcb = {
  context: 0, // 20 registers
  state0: 20,
  state1: 21,
  state2: 22,
  fault0: 23,
  fault1: 24,
  lookupFailure0: 25,
  lookupFailure1: 26,
  domain: 27,
  mcp: 28,
  priority: 29,
  timeSlice: 30,
  faultHandler: 31,
  ipcBuffer: 32,
  flags: 33,
  schedNext: 34,
  schedPrev: 35,
  epNext: 36,
  epPrev: 37,
  boundNotification: 38,
} as const;

/** Thread state, in three words. */
export const ThreadStateW = {
  tsType: field(0, 0, 4),
  blockingObject: pointer(0, 4),
  canGrant: field(1, 0, 1),
  canGrantReply: field(1, 1, 1),
  isCall: field(1, 2, 1),
  badge: field(1, 4, 28),
  tcbQueued: field(2, 0, 1),
} as const;

export const TS = {
  Inactive: 0,
  Running: 1,
  Restart: 2,
  BlockedOnReceive: 3,
  BlockedOnSend: 4,
  BlockedOnReply: 5,
  BlockedOnNotification: 6,
  IdleThreadState: 7,
} as const;

/** Stored fault, in two words: type in word 0, the main value in word 1. */
export const FaultW = {
  type: field(0, 0, 4),
  inReceivePhase: field(0, 4, 1),
  code: field(0, 4, 28),
  instructionFault: field(0, 4, 1),
  fsr: field(0, 5, 14),
  value: field(1, 0, 32),
} as const;

export const FaultType = { None: 0, CapFault: 1, UnknownSyscall: 2, UserException: 3, VMFault: 5 } as const;

/** Stored lookup failure (the C kernel keeps it beside a cap fault), in two words. */
export const LookupFailureW = {
  type: field(0, 0, 2),
  bitsLeft: field(0, 2, 6),
  bitsFound: field(0, 8, 6),
  guardFound: field(1, 0, 32),
} as const;
/** C numbering (the message uses these plus one). */
export const LUF = { InvalidRoot: 0, MissingCapability: 1, DepthMismatch: 2, GuardMismatch: 3 } as const;

// ---------------------------------------------------------------- words user code sees (shared_types.bf)

/**
 * seL4_MessageInfo: label 20, capsUnwrapped 3, extraCaps 2, length 7. The
 * kernel reads it through these accessors, as C does with the generated ones;
 * the spec decodes the same word on its own (spec/api/messageInfo.ts).
 */
export const MessageInfoW = {
  label: field(0, 12, 20),
  capsUnwrapped: field(0, 9, 3),
  extraCaps: field(0, 7, 2),
  length: field(0, 0, 7),
} as const;

/** seL4_CapRights: AllowWrite, AllowRead, AllowGrant, AllowGrantReply. */
export const CapRightsW = {
  write: field(0, 0, 1),
  read: field(0, 1, 1),
  grant: field(0, 2, 1),
  grantReply: field(0, 3, 1),
} as const;

// ---------------------------------------------------------------- page tables (ARMv7 short descriptors)

export const PDE_TYPE_INVALID = 0;
export const PDE_TYPE_COARSE = 1;
export const PDE_TYPE_SECTION = 2;

export const Pde = {
  type: field(0, 0, 2),
  // coarse (page table)
  coarseParity: field(0, 9, 1),
  coarseAddress: pointer(0, 10),
  // section / supersection
  bufferable: field(0, 2, 1),
  cacheable: field(0, 3, 1),
  executeNever: field(0, 4, 1),
  parity: field(0, 9, 1),
  ap: field(0, 10, 2),
  apx: field(0, 15, 1),
  superSection: field(0, 18, 1),
  sectionAddress: pointer(0, 20),
  superSectionAddress: pointer(0, 24),
} as const;

export const Pte = {
  /** Bit 1 set: small page (bit 0 is then XN); bits 1..0 = 01: large page. */
  small: field(0, 1, 1),
  smallExecuteNever: field(0, 0, 1),
  large: field(0, 0, 1),
  bufferable: field(0, 2, 1),
  cacheable: field(0, 3, 1),
  ap: field(0, 4, 2),
  apx: field(0, 9, 1),
  largeExecuteNever: field(0, 15, 1),
  smallAddress: pointer(0, 12),
  largeAddress: pointer(0, 16),
} as const;

/** Access-permission bits for the VM rights (VMNoAccess, VMKernelOnly, VMReadOnly, VMReadWrite). */
export const AP_OF_RIGHTS: readonly number[] = [0, 1, 2, 3];
