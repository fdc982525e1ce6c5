import { existsSync } from 'node:fs';
import { ContainerModule } from 'inversify';
import { RunModule, TrainerCallback } from '@elbo/core';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A plugin for the fault specs: with ELBO_TEST_HOLD=<file> in its environment, a run waits after
 * its first epoch (its checkpoint written: core's callbacks run first) until that file exists, so a
 * spec can kill a worker or the sweep at a known point of a trial, whatever the backend's speed.
 * A run resumed from that checkpoint starts at epoch 2 and never waits; the values trained are not
 * touched, so the metric history is that of a run without the plugin.
 */
const hold: TrainerCallback = {
  name: 'test-hold',
  async onEpochEnd(_trainer, epoch) {
    const file = process.env['ELBO_TEST_HOLD'];
    if (!file || epoch !== 1) return;
    while (!existsSync(file)) await sleep(50);
  },
};

export const elboModule = new ContainerModule(({ bind }) => {
  bind(RunModule).toConstantValue(new ContainerModule((o) => void o.bind(TrainerCallback).toConstantValue(hold)));
});
