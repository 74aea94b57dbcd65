import { afterAll, beforeAll, expect } from 'vitest';

/**
 * Collects the promise rejections nobody handled while this test file runs, and fails the file if there were any
 * (checked after every other afterAll, so rejections while closing count too). The list is returned so a test can
 * also check it at a point of its choosing.
 */
export function failOnUnhandledRejections(): readonly unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });
  return unhandled;
}
