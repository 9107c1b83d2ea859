/**
 * Where the boot code puts the root task: the physical addresses of its
 * objects, its virtual address map, its root CNode slots, the untyped regions
 * that cover the rest of memory, and the BootInfo words it finds in its
 * BootInfo frame. Both kernels build their boot state from this plan.
 *
 * seL4: src/kernel/boot.c (create_root_cnode, create_initial_thread,
 * create_untypeds_for_region, provide_cap), libsel4 bootinfo_types.h.
 */
import {
  DEFAULT_DOMAIN_SCHEDULE,
  type DomainScheduleConfig,
  DEVICE_REGION_BASE,
  DEVICE_REGION_SIZE_BITS,
  MAX_UNTYPED_BITS,
  MIN_UNTYPED_BITS,
  NUM_DOMAIN_SCHEDULES,
  RAM_BASE,
  RAM_END,
  ROOT_CNODE_SIZE_BITS,
} from './config';

/** Root-server objects, allocated just above the kernel image. */
export const ROOT_CNODE_PTR = RAM_BASE + 0x10_0000;
export const ROOT_PD_PTR = RAM_BASE + 0x11_0000;
export const ROOT_PT_PTR = RAM_BASE + 0x11_4000;
export const ROOT_ASID_POOL_PTR = RAM_BASE + 0x11_5000;
export const ROOT_IPC_BUFFER_PTR = RAM_BASE + 0x11_6000;
export const ROOT_BOOTINFO_PTR = RAM_BASE + 0x11_7000;
export const ROOT_IMAGE_FRAME_PTR = RAM_BASE + 0x11_8000;
export const ROOT_TCB_PTR = RAM_BASE + 0x11_9000;
/** First byte after the root-server objects: free memory starts here. */
export const FREE_MEMORY_START = ROOT_TCB_PTR + 0x200;

/** The root task's virtual address map (all in the first MiB, one page table). */
export const ROOT_IMAGE_VADDR = 0x0001_0000;
export const ROOT_BOOTINFO_VADDR = 0x0001_1000;
export const ROOT_IPC_BUFFER_VADDR = 0x0001_2000;
/** The root task runs in ASID 1, the second entry of the first ASID pool. */
export const ROOT_ASID = 1;
/** The root CNode's guard makes it resolve all 32 bits of a cptr in one level. */
export const ROOT_CNODE_GUARD_SIZE = 32 - ROOT_CNODE_SIZE_BITS;

/** seL4's standard initial slots (seL4_RootCNodeCapSlots). */
export const InitSlot = {
  Null: 0,
  ThreadTCB: 1,
  ThreadCNode: 2,
  ThreadVSpace: 3,
  IRQControl: 4,
  ASIDControl: 5,
  ThreadASIDPool: 6,
  IOPortControl: 7,
  IOSpace: 8,
  BootInfoFrame: 9,
  ThreadIPCBuffer: 10,
  Domain: 11,
  UserImageFrame: 16,
  UserImagePaging: 17,
  FirstUntyped: 18,
} as const;

export interface UntypedRegion {
  readonly paddr: number;
  readonly sizeBits: number;
  readonly isDevice: boolean;
}

/**
 * `create_untypeds_for_region`: cover [start, end) with the largest naturally
 * aligned power-of-two blocks; pieces smaller than the minimum are lost.
 */
export const untypedsForRegion = (start: number, end: number, isDevice: boolean): UntypedRegion[] => {
  const out: UntypedRegion[] = [];
  let p = start;
  while (p < end) {
    let bits = MAX_UNTYPED_BITS;
    while (bits > 0 && (p % 2 ** bits !== 0 || p + 2 ** bits > end)) bits--;
    if (bits >= MIN_UNTYPED_BITS) out.push({ paddr: p, sizeBits: bits, isDevice });
    p += 2 ** bits;
  }
  return out;
};

/** Every untyped the root task receives, in slot order: device memory first, then RAM. */
export const BOOT_UNTYPEDS: readonly UntypedRegion[] = [
  ...untypedsForRegion(DEVICE_REGION_BASE, DEVICE_REGION_BASE + 2 ** DEVICE_REGION_SIZE_BITS, true),
  ...untypedsForRegion(FREE_MEMORY_START, RAM_END, false),
];

/** The first root CNode slot BootInfo reports as empty. */
export const FIRST_FREE_SLOT = InitSlot.FirstUntyped + BOOT_UNTYPEDS.length;

/** The words of the seL4_BootInfo structure at the start of the BootInfo frame (the root task's domain is the schedule's first). */
export const bootInfoWords = (initThreadDomain = 0): number[] => {
  const w = [
    0, // extraLen
    0, // nodeID
    1, // numNodes
    0, // numIOPTLevels
    ROOT_IPC_BUFFER_VADDR,
    FIRST_FREE_SLOT,
    2 ** ROOT_CNODE_SIZE_BITS, // empty
    0,
    0, // sharedFrames
    InitSlot.UserImageFrame,
    InitSlot.UserImageFrame + 1, // userImageFrames
    InitSlot.UserImagePaging,
    InitSlot.UserImagePaging + 1, // userImagePaging
    0,
    0, // ioSpaceCaps
    FIRST_FREE_SLOT,
    FIRST_FREE_SLOT, // extraBIPages (none)
    ROOT_CNODE_SIZE_BITS,
    initThreadDomain,
    InitSlot.FirstUntyped,
    FIRST_FREE_SLOT, // untyped
  ];
  for (const u of BOOT_UNTYPEDS) w.push(u.paddr, u.sizeBits | ((u.isDevice ? 1 : 0) << 8));
  return w;
};

/** The idle thread runs in system mode; nothing else about its registers is observable. */
export const IDLE_THREAD_CPSR = 0x1f;

/** What a user may choose about the booted system. */
export interface BootConfig {
  /** The static domain schedule (seL4's compile-time schedule); at most 99 entries. */
  readonly domainSchedule: readonly DomainScheduleConfig[];
}

export const defaultBootConfig: BootConfig = { domainSchedule: DEFAULT_DOMAIN_SCHEDULE };

/**
 * The domain schedule both kernels boot with: the configured entries padded
 * with end markers to seL4's table size, and the entry that runs first (the
 * root task starts in its domain, as create_initial_thread puts it there).
 */
export const bootDomainSchedule = (config: BootConfig): { schedule: DomainScheduleConfig[]; first: DomainScheduleConfig } => {
  const schedule = [...config.domainSchedule];
  while (schedule.length < NUM_DOMAIN_SCHEDULES) schedule.push({ domain: 0, length: 0n });
  return { schedule, first: schedule[0] ?? { domain: 0, length: 0n } };
};
