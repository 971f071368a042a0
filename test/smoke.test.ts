import { describe, expect, it } from 'vitest';
import { Driver } from '../src/index';

describe('smoke', () => {
  it('fires façade timers in deadline order on the paused clock', async () => {
    const d = new Driver({ paused: true });
    const log: Array<[string, number]> = [];
    d.setTimeout(() => log.push(['a', d.now()]), 10);
    d.setTimeout(() => log.push(['b', d.now()]), 5);
    await d.advance(20);
    expect(log).toEqual([['b', 5], ['a', 10]]);
  });
});
