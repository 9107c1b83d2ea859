import { describe, expect, it } from 'vitest';
import { RAM_BASE } from '../../spec/api';
import { boot, step, type Kernel } from '../../impl/kernel';
import { CHECK_BOOT_CONFIG } from '../../refinement/check';
import { takeFootprint } from '../../refinement/abstract/image';
import { KernelIdentity } from '../../refinement/twin';
import { generatedTraces } from '../helpers/traces';

const bytes = (k: Kernel) => Buffer.from(k.mem.words.buffer, k.mem.words.byteOffset, k.mem.words.byteLength);

/** The two kernels compared whole, field by named field: the answer the identity must give. */
const identicalWhole = (a: Kernel, b: Kernel): boolean => {
  if (Buffer.compare(bytes(a), bytes(b)) !== 0) return false;
  if (JSON.stringify([...a.ghostObjects].sort((x, y) => x[0] - y[0])) !== JSON.stringify([...b.ghostObjects].sort((x, y) => x[0] - y[0]))) return false;
  const tables = (k: Kernel) =>
    [k.ksReadyQueueHead, k.ksReadyQueueTail, k.ksReadyQueuesL1Bitmap, k.ksReadyQueuesL2Bitmap, k.intStateIRQTable, k.armKSASIDTable, k.irqPending, k.irqMasked].map((t) => [
      ...t.raw,
    ]);
  const globals = (k: Kernel) => [
    k.ksCurThread,
    k.ksIdleThread,
    k.ksSchedulerAction,
    k.ksCurDomain,
    String(k.ksDomainTime),
    k.ksDomSchedule.map((d) => [d.domain, String(d.length)]),
    k.ksDomScheduleIdx,
    k.ksDomScheduleStart,
    k.ksWorkUnitsCompleted,
    k.intStateIRQNode,
    k.currentSyscallError,
    k.currentLookupFault,
    k.currentFault,
    k.currentExtraCaps,
  ];
  return JSON.stringify([tables(a), globals(a)]) === JSON.stringify([tables(b), globals(b)]);
};

const bootPair = (): [Kernel, Kernel] => [boot(CHECK_BOOT_CONFIG, [], { fastpath: false }), boot(CHECK_BOOT_CONFIG, [], { fastpath: true })];

describe('refinement/twin: is the fastpath kernel word for word the other one?', () => {
  it('answers as a whole comparison does after every event of generated traces, both ways', () => {
    const answers = { identical: 0, different: 0 };
    for (const t of generatedTraces(13, 12, 200)) {
      const [slow, fast] = bootPair();
      takeFootprint(slow);
      takeFootprint(fast);
      const identity = new KernelIdentity(slow, fast);
      for (const [i, e] of t.entries()) {
        step(slow, e);
        step(fast, e);
        const whole = identicalWhole(slow, fast);
        expect(identity.update(takeFootprint(slow), takeFootprint(fast)), `step ${i + 1} (${e.kind})`).toBe(whole);
        answers[whole ? 'identical' : 'different']++;
      }
    }
    // Both answers come up often: the traces take the fastpath and leave stale words behind it.
    expect(answers.identical).toBeGreaterThan(300);
    expect(answers.different).toBeGreaterThan(100);
  }, 120_000);

  it('sees a difference in a written word, a zeroed range, a ghost entry or a global, and sees it go', () => {
    const [a, b] = bootPair();
    takeFootprint(a);
    takeFootprint(b);
    const identity = new KernelIdentity(a, b);
    const after = () => identity.update(takeFootprint(a), takeFootprint(b));
    expect(after()).toBe(true);
    const addr = RAM_BASE + 0x123450;
    b.mem.store(addr, 7);
    expect(after()).toBe(false);
    a.mem.store(addr, 7);
    expect(after()).toBe(true);
    // A range one kernel zeroes and the other does not.
    a.mem.store(addr + 0x20000, 1);
    b.mem.store(addr + 0x20000, 1);
    expect(after()).toBe(true);
    a.mem.zero(addr + 0x10000, 0x20000);
    expect(after()).toBe(false);
    b.mem.zero(addr + 0x10000, 0x20000);
    expect(after()).toBe(true);
    b.ghostObjects.set(addr, { type: 'Endpoint', sizeBits: 4, isDevice: false });
    expect(after()).toBe(false);
    a.ghostObjects.set(addr, { type: 'Endpoint', sizeBits: 4, isDevice: false });
    expect(after()).toBe(true);
    b.ksDomScheduleIdx++;
    expect(after()).toBe(false);
    a.ksDomScheduleIdx++;
    expect(after()).toBe(true);
    b.ksReadyQueueHead.set(3, addr);
    expect(after()).toBe(false);
    b.ksReadyQueueHead.set(3, 0);
    expect(after()).toBe(true);
    // The fastpath switch and the seam table differ by construction and are not compared.
    expect(a.fastpath).not.toBe(b.fastpath);
  });
});
