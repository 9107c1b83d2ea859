/**
 * Invocation labels for ARM32, non-MCS, non-SMP, without the hardware debug API,
 * numbered as libsel4's generated invocation.h and Haskell's InvocationLabels.
 * Labels 50 and above decode as InvalidInvocation.
 *
 * seL4: libsel4/include/interfaces/object-api.xml (+ arch xml files);
 * Haskell API/InvocationLabels.lhs.
 */

export const INVOCATION_LABELS = [
  'InvalidInvocation',
  'UntypedRetype',
  'TCBReadRegisters',
  'TCBWriteRegisters',
  'TCBCopyRegisters',
  'TCBConfigure',
  'TCBSetPriority',
  'TCBSetMCPriority',
  'TCBSetSchedParams',
  'TCBSetIPCBuffer',
  'TCBSetSpace',
  'TCBSuspend',
  'TCBResume',
  'TCBBindNotification',
  'TCBUnbindNotification',
  'TCBSetTLSBase',
  'TCBSetFlags',
  'CNodeRevoke',
  'CNodeDelete',
  'CNodeCancelBadgedSends',
  'CNodeCopy',
  'CNodeMint',
  'CNodeMove',
  'CNodeMutate',
  'CNodeRotate',
  'CNodeSaveCaller',
  'IRQIssueIRQHandler',
  'IRQAckIRQ',
  'IRQSetIRQHandler',
  'IRQClearIRQHandler',
  'DomainSetSet',
  'DomainScheduleConfigure',
  'DomainScheduleSetStart',
  'ARMPDClean_Data',
  'ARMPDInvalidate_Data',
  'ARMPDCleanInvalidate_Data',
  'ARMPDUnify_Instruction',
  'ARMPageTableMap',
  'ARMPageTableUnmap',
  'ARMPageMap',
  'ARMPageUnmap',
  'ARMPageClean_Data',
  'ARMPageInvalidate_Data',
  'ARMPageCleanInvalidate_Data',
  'ARMPageUnify_Instruction',
  'ARMPageGetAddress',
  'ARMASIDControlMakePool',
  'ARMASIDPoolAssign',
  'ARMIRQIssueIRQHandlerTrigger',
  'ARMIRQIssueSGISignal',
] as const;

export type InvocationLabel = (typeof INVOCATION_LABELS)[number];

export const LABEL: Readonly<Record<InvocationLabel, number>> = Object.fromEntries(INVOCATION_LABELS.map((name, i) => [name, i])) as Record<InvocationLabel, number>;

/** The label a message-info label field names; anything unknown is InvalidInvocation. */
export const invocationLabelOf = (label: number): InvocationLabel => INVOCATION_LABELS[label] ?? 'InvalidInvocation';
