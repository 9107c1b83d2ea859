import { describe, expect, it } from 'vitest';
import { runPingPong, validatePingPong } from '../../refinement/bench/pingpong';

describe('refinement/bench/pingpong', () => {
  it('the ping-pong trace agrees in lock step, and every IPC of it takes the fastpath', () => {
    const r = validatePingPong(25);
    expect(r.hits).toBe(50);
  });

  it('the cost model: the fastpath touches fewer kernel memory words per IPC than the slow path, and the counts are deterministic', () => {
    const a = runPingPong(200);
    const b = runPingPong(200);
    expect(a.fast.fastpathHits).toBe(400);
    expect(a.slow.fastpathHits).toBe(0);
    expect(a.fast.wordsPerIPC).toBeLessThan(a.slow.wordsPerIPC);
    expect([b.slow.wordsPerIPC, b.fast.wordsPerIPC]).toEqual([a.slow.wordsPerIPC, a.fast.wordsPerIPC]);
  });
});
