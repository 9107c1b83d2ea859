/**
 * The names the coverage table counts are read from the spec's typed outcome
 * and the state before the event: here what messages and signals met on an
 * endpoint and a notification, the syscalls without a cap, and the events of
 * an idle system.
 */
import { describe, expect, it } from 'vitest';
import { InitSlot, SysNBRecv, SysNBSend, SysRecv, SysReply, SysSend, messageInfo, tickEvent } from '../../spec/api';
import { Untyped, syscall, yieldNow } from '../../refinement/scenario';
import { coverageKey } from '../../properties/coverage';
import { outcomeText } from '../../properties/outcome';
import { CNODE, ObjType } from '../helpers/boot';
import { run } from '../helpers/scenario';

const EP = 40;
const NTFN = 41;
const UT = InitSlot.FirstUntyped + 4;
/** A syscall on `cptr` with an empty message info and nothing else set. */
const on = (sysno: number, cptr: number) => syscall({ sysno, cptr, info: messageInfo(0, 0, 0, 0) });

describe('properties/outcome', () => {
  it('names what a message or signal met, judged from the state before it', () => {
    const { outcomes } = run([
      Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1),
      Untyped.retype(UT, ObjType.Notification, 0, CNODE, 0, 0, NTFN, 1),
      on(SysNBSend, EP),
      on(SysNBRecv, EP),
      on(SysSend, NTFN),
      on(SysSend, NTFN),
      on(SysNBRecv, NTFN),
      on(SysNBRecv, NTFN),
      syscall({ sysno: SysReply }),
      yieldNow(),
      tickEvent,
      on(SysRecv, NTFN),
      on(SysSend, NTFN),
      { kind: 'exception' },
    ]);
    expect(outcomes.map(coverageKey)).toEqual([
      'UntypedRetype → ok',
      'UntypedRetype → ok',
      'NBSend(Endpoint) → dropped',
      'NBRecv(Endpoint) → empty',
      'Send(Notification) → activated',
      'Send(Notification) → merged',
      'NBRecv(Notification) → received',
      'NBRecv(Notification) → empty',
      'Reply → no-caller',
      'Yield → ok',
      'tick → ok',
      'Recv(Notification) → blocked',
      // The only thread is blocked: the idle thread runs and traps on nothing.
      'syscall → idle',
      'exception → idle',
    ]);
    expect(outcomes.map(outcomeText).slice(2, 4)).toEqual(['Endpoint: dropped', 'Endpoint: empty']);
    expect(outcomeText(outcomes[8] ?? { kind: 'Reply', result: 'ok' })).toBe('no-caller');
  });
});
