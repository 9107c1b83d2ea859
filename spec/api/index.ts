/**
 * The ABI both kernels share: the only part of spec/ that impl/ may import.
 * seL4 does the same: the abstract spec and the C kernel share the generated
 * ABI headers (invocation labels, syscall numbers, message-info layout).
 */
export * from './word';
export * from './config';
export * from './registers';
export * from './syscall';
export * from './messageInfo';
export * from './ipcBuffer';
export * from './invocationLabel';
export * from './objectType';
export * from './rights';
export * from './errors';
export * from './event';
export * from './bootLayout';
