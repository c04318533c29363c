import { describe, expect, it } from 'vitest';

import { isLoopback } from '../src/endpoint.ts';

describe('a loopback endpoint (default pace 1000 rps, not 10)', () => {
  it('is a node on this machine, by address or name', () => {
    expect(isLoopback('http://127.0.0.1:8899')).toBe(true);
    expect(isLoopback('http://127.12.0.3:8899/key')).toBe(true);
    expect(isLoopback('http://localhost:8899')).toBe(true);
    expect(isLoopback('http://[::1]:8899')).toBe(true);
  });

  it('is not a public or remote endpoint', () => {
    expect(isLoopback('https://api.mainnet-beta.solana.com')).toBe(false);
    expect(isLoopback('http://10.0.0.5:8899')).toBe(false);
    expect(isLoopback('https://127.0.0.1.example.com')).toBe(false);
  });
});
