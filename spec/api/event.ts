/**
 * Events: what the environment of a single-core machine does next. The kernel
 * state decides which thread is current; the event says what it (or the
 * hardware) does. The io-ts codecs are the single source of the event types.
 *
 * A syscall event describes the user-level stores and register writes the
 * current thread performs right before `svc`: r0 (cptr), r1 (message info),
 * message registers (MR0..MR3 into r2..r5, MR4.. into its IPC buffer),
 * extra-cap cptrs and the receive slot (into its IPC buffer), and r7 (the
 * syscall number). Registers it does not mention keep their values.
 */
import * as t from 'io-ts';
import { MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH } from './config';
import { messageInfo } from './messageInfo';
import { SysCall } from './syscall';

const isRegisterWord = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u >= -0x8000_0000 && u <= 0xffff_ffff;

/** An integer that fits a 32-bit register, written either signed or unsigned. */
export const RegisterWord = new t.Type<number, number, unknown>(
  'RegisterWord',
  isRegisterWord,
  (u, c) => (isRegisterWord(u) ? t.success(u) : t.failure(u, c, 'an integer register word')),
  (a) => a,
);

const boundedArray = <C extends t.Mixed>(codec: C, max: number, name: string) =>
  t.refinement(t.array(codec), (xs) => xs.length <= max, name);

export const ReceiveSlot = t.type({ cnode: RegisterWord, index: RegisterWord, depth: RegisterWord }, 'ReceiveSlot');
export type ReceiveSlot = t.TypeOf<typeof ReceiveSlot>;

export const SyscallEvent = t.intersection(
  [
    t.type({ kind: t.literal('syscall'), sysno: RegisterWord }),
    t.partial({
      cptr: RegisterWord,
      info: RegisterWord,
      mrs: boundedArray(RegisterWord, MSG_MAX_LENGTH, 'at most 120 message registers'),
      caps: boundedArray(RegisterWord, MSG_MAX_EXTRA_CAPS, 'at most 3 extra caps'),
      recv: ReceiveSlot,
    }),
  ],
  'SyscallEvent',
);
export type SyscallEvent = t.TypeOf<typeof SyscallEvent>;

/** A user-mode load or store by the current thread at a virtual address. */
export const MemoryEvent = t.intersection(
  [t.type({ kind: t.literal('memory'), op: t.keyof({ read: null, write: null }), vaddr: RegisterWord }), t.partial({ value: RegisterWord })],
  'MemoryEvent',
);
export type MemoryEvent = t.TypeOf<typeof MemoryEvent>;

/** The current thread executes an undefined instruction (ARM32: UserException 0, 0). */
export const ExceptionEvent = t.type({ kind: t.literal('exception') }, 'ExceptionEvent');
export type ExceptionEvent = t.TypeOf<typeof ExceptionEvent>;

/** A hardware interrupt line is raised. */
export const InterruptEvent = t.type({ kind: t.literal('interrupt'), irq: RegisterWord }, 'InterruptEvent');
export type InterruptEvent = t.TypeOf<typeof InterruptEvent>;

/** The kernel timer fires. */
export const TickEvent = t.type({ kind: t.literal('tick') }, 'TickEvent');
export type TickEvent = t.TypeOf<typeof TickEvent>;

export const Event = t.union([SyscallEvent, MemoryEvent, ExceptionEvent, InterruptEvent, TickEvent], 'Event');
export type Event = t.TypeOf<typeof Event>;

/** Build a syscall event from plain numbers (tests and generators). */
export const syscallEvent = (fields: {
  sysno: number;
  cptr?: number;
  info?: number;
  mrs?: readonly number[];
  caps?: readonly number[];
  recv?: { cnode: number; index: number; depth: number };
}): SyscallEvent => {
  const e: Record<string, unknown> = { kind: 'syscall', sysno: fields.sysno };
  if (fields.cptr !== undefined) e['cptr'] = fields.cptr >>> 0;
  if (fields.info !== undefined) e['info'] = fields.info >>> 0;
  if (fields.mrs !== undefined) e['mrs'] = fields.mrs.map((w) => w >>> 0);
  if (fields.caps !== undefined) e['caps'] = fields.caps.map((w) => w >>> 0);
  if (fields.recv !== undefined)
    e['recv'] = { cnode: fields.recv.cnode >>> 0, index: fields.recv.index >>> 0, depth: fields.recv.depth >>> 0 };
  return e as SyscallEvent;
};

export const tickEvent: TickEvent = { kind: 'tick' };

/** An invocation: `sysno` (Call unless given) on `cptr` with a label, message words and extra caps. */
export const invocationEvent = (cptr: number, label: number, mrs: readonly number[], caps: readonly number[] = [], sysno: number = SysCall): SyscallEvent =>
  syscallEvent({ sysno, cptr, info: messageInfo(label, 0, caps.length, mrs.length), mrs, caps });
