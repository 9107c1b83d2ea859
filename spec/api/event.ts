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
import { boundedArray, boundedInt, closedRecord, taggedUnion } from './codecs';
import { MAX_IRQ, MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH } from './config';
import { messageInfo } from './messageInfo';
import { SysCall } from './syscall';

/** An integer that fits a 32-bit register, written either signed or unsigned. */
export const RegisterWord = boundedInt(-0x8000_0000, 0xffff_ffff, 'an integer register word (-2^31 .. 2^32-1)');

export const ReceiveSlot = closedRecord('ReceiveSlot', { cnode: RegisterWord, index: RegisterWord, depth: RegisterWord }, {});
export type ReceiveSlot = t.TypeOf<typeof ReceiveSlot>;

export const SyscallEvent = closedRecord(
  'a syscall event',
  { kind: t.literal('syscall'), sysno: RegisterWord },
  {
    cptr: RegisterWord,
    info: RegisterWord,
    mrs: boundedArray(RegisterWord, MSG_MAX_LENGTH, `at most ${MSG_MAX_LENGTH} message registers`),
    caps: boundedArray(RegisterWord, MSG_MAX_EXTRA_CAPS, `at most ${MSG_MAX_EXTRA_CAPS} extra caps`),
    recv: ReceiveSlot,
  },
);
export type SyscallEvent = t.TypeOf<typeof SyscallEvent>;

/** A user-mode load or store by the current thread at a virtual address. */
export const MemoryEvent = closedRecord(
  'a memory event',
  { kind: t.literal('memory'), op: t.keyof({ read: null, write: null }, "'read' or 'write'"), vaddr: RegisterWord },
  { value: RegisterWord },
);
export type MemoryEvent = t.TypeOf<typeof MemoryEvent>;

/** The current thread executes an undefined instruction (ARM32: UserException 0, 0). */
export const ExceptionEvent = closedRecord('an exception event', { kind: t.literal('exception') }, {});
export type ExceptionEvent = t.TypeOf<typeof ExceptionEvent>;

/** A hardware interrupt line is raised. */
export const InterruptEvent = closedRecord('an interrupt event', { kind: t.literal('interrupt'), irq: boundedInt(0, MAX_IRQ, `an interrupt line (0 .. ${MAX_IRQ})`) }, {});
export type InterruptEvent = t.TypeOf<typeof InterruptEvent>;

/** The kernel timer fires. */
export const TickEvent = closedRecord('a tick event', { kind: t.literal('tick') }, {});
export type TickEvent = t.TypeOf<typeof TickEvent>;

export type Event = SyscallEvent | MemoryEvent | ExceptionEvent | InterruptEvent | TickEvent;

/** An event, decoded by its `kind`. */
export const Event: t.Type<Event, unknown, unknown> = taggedUnion<Event, unknown>('an event', 'kind', {
  syscall: SyscallEvent as t.Type<Event, unknown, unknown>,
  memory: MemoryEvent as t.Type<Event, unknown, unknown>,
  exception: ExceptionEvent as t.Type<Event, unknown, unknown>,
  interrupt: InterruptEvent as t.Type<Event, unknown, unknown>,
  tick: TickEvent as t.Type<Event, unknown, unknown>,
});

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
  if (fields.recv !== undefined) e['recv'] = { cnode: fields.recv.cnode >>> 0, index: fields.recv.index >>> 0, depth: fields.recv.depth >>> 0 };
  return e as SyscallEvent;
};

export const tickEvent: TickEvent = { kind: 'tick' };

/** An invocation: `sysno` (Call unless given) on `cptr` with a label, message words and extra caps. */
export const invocationEvent = (cptr: number, label: number, mrs: readonly number[], caps: readonly number[] = [], sysno: number = SysCall): SyscallEvent =>
  syscallEvent({ sysno, cptr, info: messageInfo(label, 0, caps.length, mrs.length), mrs, caps });
