/**
 * The boot state: the kernel has created the idle thread and the root task
 * (its CNode, TCB, page directory and table, ASID pool, IPC buffer, BootInfo
 * and image frames), handed it IRQ control, ASID control and the domain cap,
 * and covered the remaining memory with untyped caps; the root task runs.
 *
 * seL4: C src/kernel/boot.c, src/arch/arm/kernel/boot.c; Haskell
 * Kernel/Init.lhs; the plan is spec/api/bootLayout.ts.
 */
import { flow, pipe } from 'fp-ts/function';
import { IDLE_THREAD_PTR, IRQ_NODE_PTR, IRQ_NODE_RADIX, MAX_IRQ, MAX_PRIO, PAGE_BITS, ROOT_CNODE_SIZE_BITS, TIMER_IRQ } from '../api/config';
import {
  BOOT_UNTYPEDS,
  type BootConfig,
  defaultBootConfig,
  InitSlot,
  ROOT_ASID,
  ROOT_ASID_POOL_PTR,
  ROOT_BOOTINFO_PTR,
  ROOT_BOOTINFO_VADDR,
  ROOT_CNODE_GUARD_SIZE,
  ROOT_CNODE_PTR,
  ROOT_IMAGE_FRAME_PTR,
  ROOT_IMAGE_VADDR,
  ROOT_IPC_BUFFER_PTR,
  ROOT_IPC_BUFFER_VADDR,
  ROOT_PD_PTR,
  ROOT_PT_PTR,
  ROOT_TCB_PTR,
  IDLE_THREAD_CPSR,
  bootDomainSchedule,
  bootInfoWords,
} from '../api/bootLayout';
import { CAP_REGISTER, CPSR, NEXT_IP, N_CONTEXT_REGISTERS } from '../api/registers';
import { cdtInsert, cdtSetOriginal, emptyCdt } from '../model/cdt';
import { type Transition, forEach, setCap, setObject, slotOf, storeWord } from '../model/heap';
import { range } from '../model/immutable';
import { PMap, PSet } from '../model/persistent';
import type { IRQState, KernelState } from '../model/state';
import type { Cap, FrameCap, PTE, TCB } from '../model/structures';
import { TCB_BUFFER, TCB_CTABLE, TCB_VTABLE, running } from '../model/structures';
import { newTCB } from '../object/objectType';
import { setupReplyMaster } from '../object/tcb';
import { pdIndexOf, ptIndexOf } from './vspace';

const mappedFrame = (ptr: number, vaddr: number): FrameCap => ({
  _tag: 'FrameCap',
  ptr,
  sizeBits: PAGE_BITS,
  rights: 'VMReadWrite',
  isDevice: false,
  mapped: { asid: ROOT_ASID, vaddr },
});

/** The root CNode's boot caps, by slot. */
export const bootCaps = (): ReadonlyArray<readonly [number, Cap]> => [
  [InitSlot.ThreadTCB, { _tag: 'ThreadCap', tcb: ROOT_TCB_PTR }],
  [InitSlot.ThreadCNode, { _tag: 'CNodeCap', ptr: ROOT_CNODE_PTR, radix: ROOT_CNODE_SIZE_BITS, guard: 0, guardSize: ROOT_CNODE_GUARD_SIZE }],
  [InitSlot.ThreadVSpace, { _tag: 'PageDirectoryCap', ptr: ROOT_PD_PTR, mappedASID: ROOT_ASID }],
  [InitSlot.IRQControl, { _tag: 'IRQControlCap' }],
  [InitSlot.ASIDControl, { _tag: 'ASIDControlCap' }],
  [InitSlot.ThreadASIDPool, { _tag: 'ASIDPoolCap', ptr: ROOT_ASID_POOL_PTR, asidBase: 0 }],
  [InitSlot.BootInfoFrame, mappedFrame(ROOT_BOOTINFO_PTR, ROOT_BOOTINFO_VADDR)],
  [InitSlot.ThreadIPCBuffer, mappedFrame(ROOT_IPC_BUFFER_PTR, ROOT_IPC_BUFFER_VADDR)],
  [InitSlot.Domain, { _tag: 'DomainCap' }],
  [InitSlot.UserImageFrame, mappedFrame(ROOT_IMAGE_FRAME_PTR, ROOT_IMAGE_VADDR)],
  [InitSlot.UserImagePaging, { _tag: 'PageTableCap', ptr: ROOT_PT_PTR, mapped: { asid: ROOT_ASID, vaddr: 0 } }],
  ...BOOT_UNTYPEDS.map((u, i): readonly [number, Cap] => [
    InitSlot.FirstUntyped + i,
    { _tag: 'UntypedCap', ptr: u.paddr, blockSize: u.sizeBits, freeIndex: 0, isDevice: u.isDevice },
  ]),
];

/** The root task's user page mappings: vaddr → (frame, executable). */
export const bootMappings: ReadonlyArray<readonly [number, number, boolean]> = [
  [ROOT_IMAGE_VADDR, ROOT_IMAGE_FRAME_PTR, true],
  [ROOT_BOOTINFO_VADDR, ROOT_BOOTINFO_PTR, false],
  [ROOT_IPC_BUFFER_VADDR, ROOT_IPC_BUFFER_PTR, false],
];

/** The state right after boot, once the root task has been scheduled. */
export const bootState = (config: BootConfig = defaultBootConfig): KernelState => {
  const idleContext = new Array<number>(N_CONTEXT_REGISTERS).fill(0);
  idleContext[CPSR] = IDLE_THREAD_CPSR;
  const idle: TCB = { ...newTCB(0), state: { _tag: 'IdleThreadState' }, timeSlice: 0, context: idleContext };

  const { schedule, first } = bootDomainSchedule(config);
  const rootContext = newTCB(0).context.slice();
  rootContext[CAP_REGISTER] = ROOT_BOOTINFO_VADDR;
  rootContext[NEXT_IP] = ROOT_IMAGE_VADDR;
  const root: TCB = {
    ...newTCB(first.domain),
    state: running,
    priority: MAX_PRIO,
    mcp: MAX_PRIO,
    ipcBuffer: ROOT_IPC_BUFFER_VADDR,
    context: rootContext,
  };

  const ptEntries = new Map<number, PTE>(
    bootMappings.map(([vaddr, frame, exec]) => [
      ptIndexOf(vaddr),
      { _tag: 'SmallPagePTE', frame, rights: 'VMReadWrite', attributes: { cacheable: true, parity: false, executeNever: !exec } },
    ]),
  );

  const irqStates: IRQState[] = new Array<IRQState>(MAX_IRQ + 1).fill('IRQInactive');
  irqStates[TIMER_IRQ] = 'IRQTimer';
  const irqMasked = PSet.of(range(0, MAX_IRQ + 1).filter((i) => i !== TIMER_IRQ));

  const empty: KernelState = {
    objects: PMap.empty(),
    caps: PMap.empty(),
    cdt: emptyCdt,
    curThread: ROOT_TCB_PTR,
    idleThread: IDLE_THREAD_PTR,
    schedulerAction: { _tag: 'ResumeCurrentThread' },
    readyQueues: PMap.empty(),
    curDomain: first.domain,
    domainTime: first.length,
    domainSchedule: schedule,
    domainScheduleIdx: 0,
    domainScheduleStart: 0,
    workUnitsCompleted: 0,
    irqStates,
    irqNode: IRQ_NODE_PTR,
    asidTable: PMap.of([[ROOT_ASID >>> 10, ROOT_ASID_POOL_PTR]]),
    userMemory: PMap.empty(),
    irqPending: PSet.empty(),
    irqMasked,
  };

  const rootSlot = (i: number) => slotOf(ROOT_CNODE_PTR, i);
  // Boot caps are written as originals with no parent (write_slot).
  const writeSlot = (slot: number, cap: Cap): Transition => flow(setCap(slot, cap), cdtSetOriginal(slot, true));
  // The root TCB's own slots are derived from the boot caps (cteInsert), as create_initial_thread does.
  const insertChild = (src: number, dest: number, cap: Cap): Transition => flow(setCap(dest, cap), cdtInsert(src, dest, true, false));
  const caps = new Map(bootCaps());

  return pipe(
    empty,
    setObject(IDLE_THREAD_PTR, idle),
    setObject(IRQ_NODE_PTR, { _tag: 'CNode', radix: IRQ_NODE_RADIX }),
    setObject(ROOT_CNODE_PTR, { _tag: 'CNode', radix: ROOT_CNODE_SIZE_BITS }),
    setObject(ROOT_TCB_PTR, root),
    setObject(ROOT_PD_PTR, {
      _tag: 'PageDirectory',
      entries: new Map([[pdIndexOf(0), { _tag: 'PageTablePDE', table: ROOT_PT_PTR, parity: false }]]),
    }),
    setObject(ROOT_PT_PTR, { _tag: 'PageTable', entries: ptEntries }),
    setObject(ROOT_ASID_POOL_PTR, { _tag: 'ASIDPool', entries: new Map([[ROOT_ASID & 0x3ff, ROOT_PD_PTR]]) }),
    forEach([ROOT_IPC_BUFFER_PTR, ROOT_BOOTINFO_PTR, ROOT_IMAGE_FRAME_PTR], (f) => setObject(f, { _tag: 'Frame', sizeBits: PAGE_BITS, isDevice: false })),
    forEach(bootCaps(), ([i, cap]) => writeSlot(rootSlot(i), cap)),
    insertChild(rootSlot(InitSlot.ThreadCNode), slotOf(ROOT_TCB_PTR, TCB_CTABLE), caps.get(InitSlot.ThreadCNode) as Cap),
    insertChild(rootSlot(InitSlot.ThreadVSpace), slotOf(ROOT_TCB_PTR, TCB_VTABLE), caps.get(InitSlot.ThreadVSpace) as Cap),
    insertChild(rootSlot(InitSlot.ThreadIPCBuffer), slotOf(ROOT_TCB_PTR, TCB_BUFFER), {
      ...mappedFrame(ROOT_IPC_BUFFER_PTR, 0),
      mapped: null,
    }),
    setupReplyMaster(ROOT_TCB_PTR),
    forEach(bootInfoWords(first.domain), (w, i) => storeWord(ROOT_BOOTINFO_PTR + 4 * i, w)),
  );
};
