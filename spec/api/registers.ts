/**
 * The ARM32 user register file as the kernel saves it, and the register roles of
 * the syscall ABI.
 *
 * seL4: include/arch/arm/arch/32/mode/machine/registerset.h,
 * src/arch/arm/32/machine/registerset.c; Haskell Machine/RegisterSet/ARM.lhs.
 */

export const R0 = 0;
export const R1 = 1;
export const R2 = 2;
export const R3 = 3;
export const R4 = 4;
export const R5 = 5;
export const R6 = 6;
export const R7 = 7;
export const R8 = 8;
export const R9 = 9;
export const R10 = 10;
export const R11 = 11;
export const R12 = 12;
export const SP = 13;
export const LR = 14;
/** The user PC: where the thread continues (the instruction after a trap). */
export const NEXT_IP = 15;
export const CPSR = 16;
/** The PC of the trapping instruction: a restarted thread resumes here. */
export const FAULT_IP = 17;
export const TPIDRURW = 18;
export const TPIDRURO = 19;
export const N_CONTEXT_REGISTERS = 20;

export const REGISTER_NAMES: readonly string[] = [
  'r0',
  'r1',
  'r2',
  'r3',
  'r4',
  'r5',
  'r6',
  'r7',
  'r8',
  'r9',
  'r10',
  'r11',
  'r12',
  'sp',
  'lr',
  'nextIP',
  'cpsr',
  'faultIP',
  'tpidrurw',
  'tpidruro',
];

/** Syscall ABI roles. */
export const CAP_REGISTER = R0;
export const BADGE_REGISTER = R0;
export const MSG_INFO_REGISTER = R1;
export const SYSCALL_NUMBER_REGISTER = R7;
/** MR0..MR3 travel in r2..r5. */
export const MSG_REGISTERS: readonly number[] = [R2, R3, R4, R5];

/** User mode, IRQs and FIQs as a fresh thread gets them (CPSR_USER). */
export const CPSR_USER = 0x150;

/** The only CPSR bits user level may set: the condition flags (N Z C V Q). */
export const sanitiseCPSR = (v: number): number => ((v & 0xf800_0000) | CPSR_USER) >>> 0;

/**
 * Register orders of seL4_UserContext used by Read/Write/CopyRegisters: the
 * ten "frame" registers, then the nine "gp" registers.
 */
export const FRAME_REGISTERS: readonly number[] = [FAULT_IP, SP, CPSR, R0, R1, R8, R9, R10, R11, R12];
export const GP_REGISTERS: readonly number[] = [R2, R3, R4, R5, R6, R7, LR, TPIDRURW, TPIDRURO];
/** Every user register in the order Read/Write/CopyRegisters use: frame registers, then the rest. */
export const USER_REGISTERS: readonly number[] = [...FRAME_REGISTERS, ...GP_REGISTERS];

/** UnknownSyscall fault message: r0..r7, FaultIP, SP, LR, CPSR (then the number). */
export const SYSCALL_MESSAGE: readonly number[] = [R0, R1, R2, R3, R4, R5, R6, R7, FAULT_IP, SP, LR, CPSR];
/** UserException fault message: FaultIP, SP, CPSR (then number and code). */
export const EXCEPTION_MESSAGE: readonly number[] = [FAULT_IP, SP, CPSR];

/** seL4 sanitises every register a user may write; only CPSR needs it on ARM32. */
export const sanitiseRegister = (reg: number, v: number): number => (reg === CPSR ? sanitiseCPSR(v) : v >>> 0);
