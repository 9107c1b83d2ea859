/**
 * The seL4_CapRights word (bit 0 Write, 1 Read, 2 Grant, 3 GrantReply) and the
 * ARM VM rights of frame caps.
 *
 * seL4: libsel4 shared_types.bf (seL4_CapRights), Haskell API/Types.lhs
 * (rightsFromWord), Object/Structures/ARM.lhs (VMRights).
 */

export interface CapRights {
  readonly write: boolean;
  readonly read: boolean;
  readonly grant: boolean;
  readonly grantReply: boolean;
}

export const rightsFromWord = (w: number): CapRights => ({
  write: (w & 1) !== 0,
  read: (w & 2) !== 0,
  grant: (w & 4) !== 0,
  grantReply: (w & 8) !== 0,
});

export const wordFromRights = (r: CapRights): number => (r.write ? 1 : 0) | (r.read ? 2 : 0) | (r.grant ? 4 : 0) | (r.grantReply ? 8 : 0);

export const ALL_RIGHTS = 0xf;

/** ARM frame rights as stored in a frame cap (C's vm_rights_t numbering). */
export type VMRights = 'VMNoAccess' | 'VMKernelOnly' | 'VMReadOnly' | 'VMReadWrite';
export const VM_RIGHTS: readonly VMRights[] = ['VMNoAccess', 'VMKernelOnly', 'VMReadOnly', 'VMReadWrite'];
export const vmRightsNumber = (r: VMRights): number => VM_RIGHTS.indexOf(r);
/** The VM rights as the kernel stores them in frame caps. */
export const VM_KERNEL_ONLY = 1;
export const VM_READ_ONLY = 2;
export const VM_READ_WRITE = 3;

/**
 * `maskVMRights`: a frame's rights after masking with a CapRights word. Read-only
 * frames stay read-only, write needs both the old write right and the mask's.
 */
export const maskVMRights = (r: VMRights, m: CapRights): VMRights => {
  if (r === 'VMNoAccess') return 'VMNoAccess';
  if (r === 'VMKernelOnly') return 'VMKernelOnly';
  if (!m.read) return 'VMKernelOnly';
  if (r === 'VMReadWrite' && m.write) return 'VMReadWrite';
  return 'VMReadOnly';
};
