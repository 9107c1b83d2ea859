import { describe, expect, it } from 'vitest';
import { FAULT_IP, InitSlot, NEXT_IP, ROOT_IMAGE_VADDR, SysCall, SysNBSend, SysSend, syscallEvent } from '../../../spec/api';
import { getTCB } from '../../../spec/model/heap';
import { CNODE, FREE } from '../../helpers/boot';
import { ROOT, invoke, replyOf, run } from '../../helpers/scenario';

describe('spec/kernel/syscall: the invocation path', () => {
  it('replies InvalidCapability 0 to a Call on an empty slot', () => {
    const { state, outcomes } = run([invoke(FREE, 'CNodeCopy', [1, 2])]);
    expect(replyOf(state)).toMatchObject({ label: 2, words: [0] });
    expect(outcomes[0]).toMatchObject({ kind: 'Call', target: 'InvokeNull', result: 'InvalidCapability' });
  });

  it('drops the error of a Send or NBSend: the caller continues with its registers as they were', () => {
    for (const sysno of [SysSend, SysNBSend]) {
      const { state } = run([invoke(FREE, 'CNodeCopy', [7, 8], [], sysno)]);
      expect(replyOf(state)).toMatchObject({ label: 20, words: [7, 8] });
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    }
  });

  it('turns a cptr that fails lookup into a cap fault for Call; with no handler the caller is stopped (double fault)', () => {
    const { state, outcomes } = run([invoke(0x1000 + FREE, 'CNodeCopy', [1, 2]), invoke(CNODE, 'CNodeDelete', [FREE, 32])]);
    expect(outcomes[0]).toMatchObject({ kind: 'Call', result: 'CapFault' });
    expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
    expect(state.curThread).toBe(state.idleThread);
    // The idle thread executes no syscall: the second event changes nothing.
    expect(outcomes[1]).toMatchObject({ result: 'idle' });
  });

  it('ignores a failed lookup for NBSend', () => {
    const { state, outcomes } = run([invoke(0x1000 + FREE, 'CNodeCopy', [1, 2], [], SysNBSend)]);
    expect(outcomes[0]).toMatchObject({ kind: 'NBSend', result: 'CapFault' });
    expect(getTCB(state, ROOT).state._tag).toBe('Running');
  });

  it('faults a Call whose extra cap fails lookup, before decoding', () => {
    const { state } = run([invoke(CNODE, 'CNodeCopy', [FREE, 32, 2, 32, 15], [0xffff_ffff])]);
    expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
  });

  it('turns an unknown syscall number into an UnknownSyscall fault', () => {
    const { state, outcomes } = run([syscallEvent({ sysno: -9 })]);
    expect(outcomes[0]).toMatchObject({ kind: 'UnknownSyscall', result: 'UnknownSyscall' });
    expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
  });

  it('records the svc as the restart point and continues after it', () => {
    const { state } = run([invoke(CNODE, 'CNodeDelete', [FREE, 32]), invoke(CNODE, 'CNodeDelete', [FREE, 32])]);
    const ctx = getTCB(state, ROOT).context;
    expect(ctx[FAULT_IP]).toBe(ROOT_IMAGE_VADDR + 4);
    expect(ctx[NEXT_IP]).toBe(ROOT_IMAGE_VADDR + 8);
  });

  it('writes message registers beyond MR3 into the IPC buffer and reads them back as arguments', () => {
    // Untyped_Retype's fifth and sixth arguments travel in the IPC buffer.
    const { state } = run([invoke(InitSlot.FirstUntyped + 4, 'UntypedRetype', [2, 0, 0, 0, FREE, 2], [CNODE], SysCall)]);
    expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
    expect(state.caps.size).toBeGreaterThan(0);
  });
});
