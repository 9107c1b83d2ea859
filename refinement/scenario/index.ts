/**
 * The scenario API: what user threads do, in libsel4's terms and argument
 * order (`libsel4.ts`), run through the spec and both kernels in lock step
 * with each step addressed to its thread (`run.ts`), and what they got back
 * (`read.ts`). `sel4-spec replay FILE --as-test` prints a trace in it.
 */
export * from './libsel4';
export { type ScenarioOptions, type ScenarioRun, type Step, type ThreadRef, type ThreadStep, ScenarioError, as, runScenario, thread, threadIn } from './run';
export { type Reply, ROOT, replyOf, rootSlot, rootSlotPtr, tcbAt, tcbOf } from './read';
export { asTest, canonicalEvent, eventCode } from './asTest';
export {
  InitSlot,
  LABEL,
  ObjectTypeNumber,
  SysCall,
  SysNBRecv,
  SysNBSend,
  SysRecv,
  SysReply,
  SysReplyRecv,
  SysSend,
  SysYield,
  messageInfo,
  messageInfoFromWord,
} from '../../spec/api';
