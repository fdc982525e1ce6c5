import { describe, expect, it } from 'vitest';
import { ConfigError, type Dataset, type DataSplit } from '@elbo/core';
import { classCount, parseLabels } from './label-conditions.js';
import { OneHotConditioner } from './onehot-conditioner.js';

const split = (labels?: Int32Array): DataSplit => ({ size: 4, dim: 1, labels, read: () => {} });
const dataset = (labels?: Int32Array, numClasses?: number): Dataset => ({
  name: 'tiny',
  shape: [1],
  support: 'continuous',
  train: split(labels),
  test: split(labels),
  numClasses,
  describe: () => 'tiny',
});

/** `--condition` values for a class-label conditioner; the trained model's own check is in apps/runner/test/conditional-vae.spec.ts. */
describe('class-label conditions', () => {
  it('one label for all examples, or one per example', () => {
    expect(parseLabels(['7'], 3, 10, '--condition').labels).toEqual(Int32Array.from([7, 7, 7]));
    expect(parseLabels(['1', '2', '0'], 3, 10, '--condition').labels).toEqual(Int32Array.from([1, 2, 0]));
    expect(new OneHotConditioner(10).parse(['7'], 3, '--condition').labels).toEqual(Int32Array.from([7, 7, 7]));
  });

  it('bad labels are clear errors naming where they came from', () => {
    const c = new OneHotConditioner(10);
    expect(() => c.parse(['12'], 4, '--condition')).toThrow(new ConfigError('--condition: expected a class label from 0 to 9, got "12"'));
    expect(() => c.parse(['1.5'], 4, '--condition')).toThrow('expected a class label from 0 to 9, got "1.5"');
    expect(() => c.parse(['1', '2'], 4, '--condition')).toThrow('expected 1 or 4 class labels, got 2');
  });

  it('the class count comes from a labelled dataset; an unlabelled one is a config error', () => {
    expect(classCount(dataset(Int32Array.from([0, 1, 2, 1]), 3), 'condition/onehot')).toBe(3);
    expect(() => classCount(dataset(), 'condition/onehot')).toThrow(
      new ConfigError('model.condition: condition/onehot conditions on class labels, but dataset "tiny" has none (use a labelled dataset, or a vector condition)'),
    );
  });
});
