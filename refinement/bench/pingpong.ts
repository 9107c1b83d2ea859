/**
 * The ping-pong benchmark: a client Calls a server through an endpoint and the
 * server answers with ReplyRecv, round after round, the IPC pattern seL4's
 * fastpath exists for. The same trace runs on the concrete kernel with the
 * fastpath off and on (counting memory words touched by the kernel and timing
 * it), on the abstract spec alone, and through the lock-step check, so the
 * ratios come from one run on one machine.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  type BootConfig,
  type Event,
  InitSlot,
  LABEL,
  ROOT_IPC_BUFFER_VADDR,
  SysCall,
  SysRecv,
  SysReplyRecv,
  defaultBootConfig,
  invocationEvent,
  messageInfo,
  syscallEvent,
} from '../../spec/api';
import { FIRST_FREE_SLOT, BOOT_UNTYPEDS } from '../../spec/api/bootLayout';
import { step as specStep, bootState } from '../../spec/kernel';
import { boot, step as implStep, userSyscallEntry } from '../../impl/kernel';
import { releaseMemory } from '../../impl/model/memory';
import { type Patch, identityPatches, patch, seamsDispatch } from '../../impl/model/seam';
import { countingFastpath, newFastpathStats } from '../../properties/fastpathStats';
import { LockStep } from '../run';

const CNODE = InitSlot.ThreadCNode;
const EP = FIRST_FREE_SLOT;
const SERVER = FIRST_FREE_SLOT + 1;
const CLIENT = FIRST_FREE_SLOT + 2;
const SERVER_PRIO = 200;
const CLIENT_PRIO = 150;

const invoke = invocationEvent;

/** The first RAM untyped big enough for the three objects. */
const untypedCptr = (): number => {
  const i = BOOT_UNTYPEDS.findIndex((u) => !u.isDevice && u.sizeBits >= 16);
  return InitSlot.FirstUntyped + i;
};

/**
 * The root task makes an endpoint and two threads, steps down to priority 1,
 * and starts them: the server runs first and waits; then the client runs.
 */
export const pingPongSetup = (): Event[] => {
  const ut = untypedCptr();
  const thread = (slot: number, prio: number, window: number): Event[] => [
    invoke(ut, LABEL.UntypedRetype, [1, 0, 0, 0, slot, 1], [CNODE]),
    invoke(slot, LABEL.TCBConfigure, [0, 0, 0, ROOT_IPC_BUFFER_VADDR + 512 * window], [CNODE, InitSlot.ThreadVSpace, InitSlot.ThreadIPCBuffer]),
    invoke(slot, LABEL.TCBSetSchedParams, [255, prio], [InitSlot.ThreadTCB]),
  ];
  return [
    invoke(ut, LABEL.UntypedRetype, [2, 0, 0, 0, EP, 1], [CNODE]),
    ...thread(SERVER, SERVER_PRIO, 1),
    ...thread(CLIENT, CLIENT_PRIO, 2),
    invoke(InitSlot.ThreadTCB, LABEL.TCBSetPriority, [1], [InitSlot.ThreadTCB]),
    invoke(SERVER, LABEL.TCBResume, []),
    // Now the server is current: it waits for the first message.
    syscallEvent({ sysno: SysRecv, cptr: EP, info: 0 }),
    invoke(CLIENT, LABEL.TCBResume, []),
  ];
};

/** `rounds` rounds of the ping-pong, one event after the other. */
const pingPongRounds = (rounds: number): Event[] => Array.from({ length: rounds }, (_, i) => pingPongRound(i)).flat();

/** One round: the client Calls with two words, the server replies with two and waits again. */
export const pingPongRound = (i: number): Event[] => [
  syscallEvent({ sysno: SysCall, cptr: EP, info: messageInfo(1, 0, 0, 2), mrs: [i >>> 0, 0xc0ffee] }),
  syscallEvent({ sysno: SysReplyRecv, cptr: EP, info: messageInfo(0, 0, 0, 2), mrs: [i >>> 0, 0xbeef] }),
];

export interface KernelFigures {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Memory words the kernel read and wrote per IPC (the user-level stores left out). */
  readonly wordsPerIPC: number;
  readonly readsPerIPC: number;
  readonly writesPerIPC: number;
  /** IPCs the fastpath completed (0 with it off). */
  readonly fastpathHits: number;
}

export interface BenchResult {
  readonly rounds: number;
  readonly slow: KernelFigures;
  readonly fast: KernelFigures;
  /** The abstract spec alone, and the lock-step check of spec against both kernels. */
  readonly spec: { readonly eventsPerSecond: number };
  readonly check: { readonly events: number; readonly eventsPerSecond: number };
  /**
   * Memory: the heap one spec state keeps alive after the run (measured with a
   * forced garbage collection; null if it could not be forced), and the bytes
   * of simulated physical memory a concrete kernel holds, with the pages in use.
   */
  readonly memory: {
    readonly specStateBytes: number | null;
    readonly specObjects: number;
    readonly concreteBytes: number;
    readonly concretePagesInUse: number;
  };
  readonly seams: SeamFigures;
  readonly ratios: { readonly speed: number; readonly words: number };
}

/** A garbage collection the benchmark can force, to measure what stays alive (undefined if V8 will not allow it). */
const forcedGC = (): (() => void) | undefined => {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? () => (gc as () => void)() : undefined;
  } catch {
    return undefined;
  }
};

const time = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
};

/**
 * What counting kernels see on the same rounds: the IPCs the fastpath
 * completes, and the memory words the user-level part of the syscall events
 * touched (the thread's stores before the trap, left out of the kernel's cost).
 * The timed kernel carries no counters; the counts are deterministic.
 */
const countedRounds = (fastpath: boolean, rounds: number, config: BootConfig): { hits: number; userEntryWords: number } => {
  const stats = newFastpathStats();
  let userEntryWords = 0;
  let counting = false;
  const countUserEntry = patch(userSyscallEntry, (entry) => (k, e) => {
    const before = k.mem.reads + k.mem.writes;
    entry(k, e);
    if (counting) userEntryWords += k.mem.reads + k.mem.writes - before;
  });
  const k = boot(config, [countUserEntry, ...countingFastpath(stats)], { fastpath });
  try {
    for (const e of pingPongSetup()) implStep(k, e);
    const hits0 = stats.hits;
    counting = true;
    for (const e of pingPongRounds(rounds)) implStep(k, e);
    return { hits: stats.hits - hits0, userEntryWords };
  } finally {
    releaseMemory(k.mem);
  }
};

const runKernel = (fastpath: boolean, rounds: number, config: BootConfig, patches: readonly Patch[], counts: { hits: number; userEntryWords: number } | null): KernelFigures => {
  const k = boot(config, patches, { fastpath });
  try {
    for (const e of pingPongSetup()) implStep(k, e);
    const events = pingPongRounds(rounds);
    k.mem.reads = 0;
    k.mem.writes = 0;
    const seconds = time(() => {
      for (const e of events) implStep(k, e);
    });
    // The user-level stores are only stores; the reads are all the kernel's.
    const writes = k.mem.writes - (counts?.userEntryWords ?? 0);
    return {
      events: events.length,
      seconds,
      eventsPerSecond: events.length / seconds,
      wordsPerIPC: (k.mem.reads + writes) / events.length,
      readsPerIPC: k.mem.reads / events.length,
      writesPerIPC: writes / events.length,
      fastpathHits: counts?.hits ?? 0,
    };
  } finally {
    releaseMemory(k.mem);
  }
};

/** The setup and the rounds agree in lock step (so the figures are about a correct run), with fastpath hits. */
export const validatePingPong = (rounds: number, config: BootConfig = defaultBootConfig): { events: number; seconds: number; hits: number } => {
  const ls = new LockStep({ config, fastpath: 'both' });
  try {
    const events = [...pingPongSetup(), ...pingPongRounds(rounds)];
    const seconds = time(() => {
      for (const e of events) if (!ls.step(e)) break;
    });
    if (ls.failure !== undefined) throw new Error(`ping-pong diverged at step ${ls.failure.step}: ${ls.failure.message}`);
    return { events: events.length, seconds, hits: ls.fastpathStats?.hits ?? 0 };
  } finally {
    ls.dispose();
  }
};

/**
 * The concrete kernel alone, slow path and fastpath: the best of three
 * measurements each, after a warm-up. Without `count` nothing is counted
 * (a child process with the seams compiled out cannot patch a kernel): no
 * fastpath hits, and the user-level words are not taken out of the writes.
 */
export const runKernelsAlone = (
  rounds: number,
  config: BootConfig = defaultBootConfig,
  patches: readonly Patch[] = [],
  count = true,
): { slow: KernelFigures; fast: KernelFigures } => {
  const best = (fastpath: boolean): KernelFigures => {
    const counts = count ? countedRounds(fastpath, rounds, config) : null;
    runKernel(fastpath, Math.min(rounds, 500), config, patches, null);
    const runs = [0, 1, 2].map(() => runKernel(fastpath, rounds, config, patches, counts));
    return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  };
  return { slow: best(false), fast: best(true) };
};

/**
 * What the seams cost (impl/model/seam.ts), in IPCs per second of the slow and
 * fast kernel together. In this process: the kernel as built (one null test
 * per seamed call) and with every seam patched by the identity (a table lookup
 * per seamed call, as a mutant or counting kernel pays). In child processes,
 * when given (alternating pairs, as one process's speed varies from the
 * next by more than the seams cost): as built and with the seams compiled out.
 */
export interface SeamFigures {
  readonly asBuilt: number;
  readonly allPatched: number;
  readonly children: { readonly pairs: number; readonly asBuilt: number; readonly compiledOut: number; readonly ratio: number } | null;
}

/** IPCs per second of the kernel alone in a fresh process, with or without the seams (it throws if it cannot measure). */
export type ChildBench = (rounds: number, seams: 'as built' | 'compiled out') => number;

/** Alternating pairs of child processes, as built then compiled out; the ratio is the mean of the pairs' ratios. */
const CHILD_PAIRS = 5;

const measureChildren = (child: ChildBench, rounds: number): SeamFigures['children'] => {
  const ratios: number[] = [];
  const asBuilt: number[] = [];
  const compiledOut: number[] = [];
  for (let i = 0; i < CHILD_PAIRS; i++) {
    const a = child(rounds, 'as built');
    const c = child(rounds, 'compiled out');
    asBuilt.push(a);
    compiledOut.push(c);
    ratios.push(a / c);
  }
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  return { pairs: CHILD_PAIRS, asBuilt: mean(asBuilt), compiledOut: mean(compiledOut), ratio: mean(ratios) };
};

export const runPingPong = (rounds: number, config: BootConfig = defaultBootConfig, child?: ChildBench): BenchResult => {
  const { slow, fast } = runKernelsAlone(rounds, config);
  const patched = runKernelsAlone(rounds, config, seamsDispatch() ? identityPatches() : [], false);
  const ipcsPerSecond = (a: KernelFigures, b: KernelFigures) => (a.events + b.events) / (a.seconds + b.seconds);
  const seams: SeamFigures = {
    asBuilt: ipcsPerSecond(slow, fast),
    allPatched: ipcsPerSecond(patched.slow, patched.fast),
    children: child === undefined ? null : measureChildren(child, rounds),
  };

  const specEvents = pingPongRounds(rounds);
  let s = bootState(config);
  for (const e of pingPongSetup()) s = specStep(s, e).state;
  const specSeconds = time(() => {
    for (const e of specEvents) s = specStep(s, e).state;
  });

  // Memory: many separately built spec states kept alive at once, measured between forced collections.
  const gc = forcedGC();
  const copies = 64;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const states = Array.from({ length: copies }, () => pingPongSetup().reduce((st, e) => specStep(st, e).state, bootState(config)));
  gc?.();
  const specStateBytes = gc === undefined ? null : Math.max(0, (process.memoryUsage().heapUsed - heapBefore) / copies);

  const k = boot(config, [], { fastpath: true });
  for (const e of pingPongSetup()) implStep(k, e);
  const memory = {
    specStateBytes,
    specObjects: states[0]?.objects.size ?? 0,
    concreteBytes: k.mem.words.byteLength + k.mem.dirty.byteLength,
    concretePagesInUse: k.mem.dirtyPages.size,
  };
  releaseMemory(k.mem);

  const checkRounds = Math.max(1, Math.floor(rounds / 10));
  const check = validatePingPong(checkRounds, config);
  return {
    rounds,
    slow,
    fast,
    spec: { eventsPerSecond: specEvents.length / specSeconds },
    memory,
    check: { events: check.events, eventsPerSecond: check.events / check.seconds },
    seams,
    ratios: { speed: fast.eventsPerSecond / slow.eventsPerSecond, words: fast.wordsPerIPC / slow.wordsPerIPC },
  };
};
