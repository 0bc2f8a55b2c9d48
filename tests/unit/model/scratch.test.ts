/** Per-request scratch buffers: sums and sets that reset without reallocating. */
import { describe, expect, it } from 'vitest';
import { addOnce, addToSum, clearSum, createSparseSum, createStampSet, newRound } from '../../../edge-worker/src/model/scratch';

describe('scratch buffers', () => {
  it('sums sparsely, lists ids in first-added order and clears only what it touched', () => {
    const sum = createSparseSum(10);
    addToSum(sum, 7, 0.5);
    addToSum(sum, 2, 1);
    addToSum(sum, 7, 0.25);
    expect(sum.touched).toEqual([7, 2]);
    expect([sum.values[7], sum.values[2]]).toEqual([0.75, 1]);
    clearSum(sum);
    expect(sum.touched).toEqual([]);
    expect(Array.from(sum.values).every((v) => v === 0)).toBe(true);
  });

  it('adds an id once per round, and a new round starts empty', () => {
    const set = createStampSet(5);
    expect([addOnce(set, 3), addOnce(set, 3), addOnce(set, 1)]).toEqual([true, false, true]);
    newRound(set);
    expect(addOnce(set, 3)).toBe(true);
  });

  it('starts over cleanly when its round counter would overflow', () => {
    const set = createStampSet(2);
    set.round = 0xffffffff;
    addOnce(set, 0);
    newRound(set);
    expect([addOnce(set, 0), addOnce(set, 1)]).toEqual([true, true]);
  });
});
