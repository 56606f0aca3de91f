import { describe, expect, it } from 'vitest';
import { DedupeWindow } from './dedupe-window.js';

describe('DedupeWindow', () => {
  it('answers false for an id already seen, true for a new one', () => {
    const window = new DedupeWindow(10);
    expect(window.add('7')).toBe(true);
    expect(window.add('8')).toBe(true);
    expect(window.add('7')).toBe(false);
    expect(window.has('8')).toBe(true);
    expect(window.has('9')).toBe(false);
  });

  it('keeps only the last `size` ids: memory stays bounded, the oldest is forgotten', () => {
    const window = new DedupeWindow(3);
    for (const id of ['1', '2', '3', '4']) window.add(id);
    expect(window.count).toBe(3);
    expect(window.has('1')).toBe(false);
    expect(window.add('2')).toBe(false);
    expect(window.add('1')).toBe(true);
    expect(window.has('2')).toBe(false);
    for (let i = 0; i < 10_000; i += 1) window.add(`x${i}`);
    expect(window.count).toBe(3);
    expect(['x9997', 'x9998', 'x9999'].every((id) => window.has(id))).toBe(true);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new DedupeWindow(0)).toThrow(RangeError);
    expect(() => new DedupeWindow(1.5)).toThrow(RangeError);
  });
});
