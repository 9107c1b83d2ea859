import { describe, expect, it } from 'vitest';
import { FAULT_IP, InitSlot, LABEL, NEXT_IP, ROOT_IMAGE_VADDR, SysNBSend, SysSend } from '../../../spec/api';
import { CNode, Untyped, invoke, syscall } from '../../../refinement/scenario';
import { getTCB } from '../../../spec/model/heap';
import { CNODE, FREE } from '../../helpers/boot';
import { ROOT, replyOf, run } from '../../helpers/scenario';

describe('spec/kernel/syscall: the invocation path', () => {
  it('replies InvalidCapability 0 to a Call on an empty slot', () => {
    const { state, outcomes, lockStep } = run([invoke(FREE, 'CNodeCopy', [1, 2])]);
    expect(replyOf(state)).toMatchObject({ label: 2, words: [0] });
    expect(lockStep.lastOutcome).toMatchObject({
      _tag: 'Invocation',
      syscall: 'Call',
      result: { _tag: 'SyscallError', cap: { _tag: 'NullCap' }, label: LABEL.CNodeCopy, error: { _tag: 'InvalidCapability', capIndex: 0 } },
    });
    expect(outcomes[0]).toEqual({ kind: 'Call', target: 'InvokeNull', result: 'InvalidCapability' });
  });

  it('drops the error of a Send or NBSend: the caller continues with its registers as they were', () => {
    for (const sysno of [SysSend, SysNBSend]) {
      const { state } = run([invoke(FREE, 'CNodeCopy', [7, 8], [], sysno)]);
      expect(replyOf(state)).toMatchObject({ label: 20, words: [7, 8] });
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    }
  });

  it('turns a cptr that fails lookup into a cap fault for Call; with no handler the caller is stopped (double fault)', () => {
    const { state, outcomes, lockStep } = run([invoke(0x1000 + FREE, 'CNodeCopy', [1, 2]), CNode.delete(FREE)]);
    // The cap named no invocation: the coverage key is the syscall's.
    expect(outcomes[0]).toEqual({ kind: 'Call', result: 'CapFault' });
    expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
    expect(state.curThread).toBe(state.idleThread);
    // The idle thread executes no syscall: the second event changes nothing.
    expect(lockStep.lastOutcome).toEqual({ _tag: 'Idle', event: 'syscall' });
    expect(outcomes[1]).toEqual({ kind: 'syscall', result: 'idle' });
  });

  it('ignores a failed lookup for NBSend', () => {
    const { state, outcomes, lockStep } = run([invoke(0x1000 + FREE, 'CNodeCopy', [1, 2], [], SysNBSend)]);
    expect(lockStep.lastOutcome).toMatchObject({
      _tag: 'Invocation',
      syscall: 'NBSend',
      result: { _tag: 'LookupFault', fault: { _tag: 'CapFault', address: 0x1000 + FREE, inReceivePhase: false } },
    });
    expect(outcomes[0]).toEqual({ kind: 'NBSend', result: 'CapFault' });
    expect(getTCB(state, ROOT).state._tag).toBe('Running');
  });

  it('faults a Call whose extra cap fails lookup, before decoding', () => {
    const { state, outcomes, lockStep } = run([invoke(CNODE, 'CNodeCopy', [FREE, 32, 2, 32, 15], [0xffff_ffff])]);
    expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
    expect(lockStep.lastOutcome).toMatchObject({
      _tag: 'Invocation',
      syscall: 'Call',
      result: { _tag: 'ExtraCapsFault', cap: { _tag: 'CNodeCap' }, fault: { _tag: 'CapFault', address: 0xffff_ffff } },
    });
    // The invoked cap is known by then: the fault counts under the invocation.
    expect(outcomes[0]).toEqual({ kind: 'Call', target: 'CNodeCopy', result: 'CapFault' });
  });

  it('turns an unknown syscall number into an UnknownSyscall fault', () => {
    const { state, outcomes, lockStep } = run([syscall({ sysno: -9 })]);
    expect(lockStep.lastOutcome).toEqual({ _tag: 'UnknownSyscall', fault: { _tag: 'UnknownSyscall', syscallNumber: 0xffff_fff7 } });
    expect(outcomes[0]).toEqual({ kind: 'UnknownSyscall', result: 'UnknownSyscall' });
    expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
  });

  it('records the svc as the restart point and continues after it', () => {
    const { state } = run([CNode.delete(FREE), CNode.delete(FREE)]);
    const ctx = getTCB(state, ROOT).context;
    expect(ctx[FAULT_IP]).toBe(ROOT_IMAGE_VADDR + 4);
    expect(ctx[NEXT_IP]).toBe(ROOT_IMAGE_VADDR + 8);
  });

  it('writes message registers beyond MR3 into the IPC buffer and reads them back as arguments', () => {
    // Untyped_Retype's fifth and sixth arguments travel in the IPC buffer.
    const { state, lockStep } = run([Untyped.retype(InitSlot.FirstUntyped + 4, 2, 0, CNODE, 0, 0, FREE, 2)]);
    expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
    expect(state.caps.size).toBeGreaterThan(0);
    // What it decoded to and performed: a retype.
    expect(lockStep.lastOutcome).toMatchObject({
      _tag: 'Invocation',
      syscall: 'Call',
      result: { _tag: 'Performed', invocation: { _tag: 'InvokeUntyped', inv: { _tag: 'Retype' } } },
    });
  });
});
