/**
 * The kernel configuration and platform the model implements: seL4's verified
 * ARM configuration (aarch32, imx6 Cortex-A9, one core, no hypervisor, no FPU
 * context switching), plus the simulated machine's memory map.
 *
 * seL4: configs/ARM_verified.cmake, config.cmake, libsel4 constants.h.
 */

// ---------------------------------------------------------------- kernel configuration

export const NUM_DOMAINS = 16;
export const NUM_PRIORITIES = 256;
export const MAX_PRIO = NUM_PRIORITIES - 1;
export const TIME_SLICE = 5;
export const RETYPE_FAN_OUT_LIMIT = 256;
export const RESET_CHUNK_BITS = 8;
/** Preemption points between checks for a pending interrupt (Haskell `workUnitsLimit`). */
export const WORK_UNITS_LIMIT = 100;
export const ROOT_CNODE_SIZE_BITS = 12;
/** imx6 GIC: interrupt lines 0..159. */
export const MAX_IRQ = 159;
/** The timer interrupt line (imx6 private timer, PPI 29). */
export const TIMER_IRQ = 29;

// ---------------------------------------------------------------- object sizes (ARM32)

export const SLOT_BITS = 4; // a CTE is 16 bytes: 2 cap words + 2 MDB words
export const TCB_BITS = 9; // seL4_TCBBits without FPU
export const TCB_CNODE_RADIX = 4; // the TCB's 5 slots live in a 2^4-slot area
/** Offset of the TCB fields inside a TCB object (after its cap slots). */
export const TCB_OFFSET = 1 << (TCB_BITS - 1);
export const ENDPOINT_BITS = 4;
export const NOTIFICATION_BITS = 4;
export const PAGE_BITS = 12;
export const LARGE_PAGE_BITS = 16;
export const SECTION_BITS = 20;
export const SUPER_SECTION_BITS = 24;
export const PAGE_TABLE_BITS = 10; // 256 PTEs of 4 bytes
export const PAGE_DIRECTORY_BITS = 14; // 4096 PDEs of 4 bytes
export const PT_INDEX_BITS = 8;
export const PD_INDEX_BITS = 12;
export const ASID_POOL_BITS = 12;
export const ASID_BITS = 17;
export const ASID_LOW_BITS = 10;
export const ASID_HIGH_BITS = 7;
export const MIN_UNTYPED_BITS = 4;
export const MAX_UNTYPED_BITS = 29;

// ---------------------------------------------------------------- message format

export const MSG_MAX_LENGTH = 120;
export const MSG_MAX_EXTRA_CAPS = 3;
export const N_MSG_REGISTERS = 4;
export const BADGE_BITS = 28;
export const GUARD_BITS = 18;
export const GUARD_SIZE_BITS = 5;
export const IPC_BUFFER_SIZE_BITS = 9;

// ---------------------------------------------------------------- the simulated platform

/** Physical RAM: [RAM_BASE, RAM_BASE + RAM_SIZE). Every kernel object lives here. */
export const RAM_BASE = 0x1000_0000;
export const RAM_SIZE_BITS = 25; // 32 MiB: room for one 16 MiB supersection-capable untyped
export const RAM_SIZE = 2 ** RAM_SIZE_BITS;
export const RAM_END = RAM_BASE + RAM_SIZE;

/** The first MiB of RAM is the kernel image: idle thread, IRQ node, global page tables. */
export const KERNEL_IMAGE_SIZE = 0x10_0000;
export const IDLE_THREAD_PTR = RAM_BASE + 0x8000;
export const IRQ_NODE_PTR = RAM_BASE + 0x1_0000; // a CNode of 2^8 slots, one per IRQ
export const IRQ_NODE_RADIX = 8;
export const GLOBAL_PD_PTR = RAM_BASE + 0x2_0000;

/** A device region handed to the root task as device untyped (peripherals). */
export const DEVICE_REGION_BASE = 0x0200_0000;
export const DEVICE_REGION_SIZE_BITS = 20;

/** User virtual addresses at or above this belong to the kernel window. */
export const KERNEL_BASE = 0xf000_0000;
export const KERNEL_PD_INDEX = KERNEL_BASE >>> 20; // 0xF00

// ---------------------------------------------------------------- domain schedule

export const NUM_DOMAIN_SCHEDULES = 100;
/** The largest domain-schedule duration (56 bits of ticks). */
export const DSCHED_MAX_DURATION = 2n ** 56n - 1n;

export interface DomainScheduleConfig {
  readonly domain: number;
  readonly length: bigint;
}

/** A (domain 0, 0 ticks) entry ends the domain schedule. */
export const isEndMarker = (e: DomainScheduleConfig): boolean => e.domain === 0 && e.length === 0n;

/** seL4's boot schedule: domain 0 forever. */
export const DEFAULT_DOMAIN_SCHEDULE: readonly DomainScheduleConfig[] = [{ domain: 0, length: DSCHED_MAX_DURATION }];

/** The TCB flags a thread may set without an FPU (seL4's tcbFlagMask): none. */
export const TCB_FLAG_MASK = 0;

/** The TCB's cap slots, by index (seL4's tcb_cnode_index: tcbCTable .. tcbBuffer). */
export const TCB_CTABLE = 0;
export const TCB_VTABLE = 1;
export const TCB_REPLY = 2;
export const TCB_CALLER = 3;
export const TCB_BUFFER = 4;
export const TCB_SLOT_COUNT = 5;
