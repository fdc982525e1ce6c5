import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import { RunModule, TrainerCallback } from '@elbo/core';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A plugin for the fault specs: with ELBO_TEST_HOLD=<folder> in its environment, a sweep's trial
 * (`elbo train …/sweeps/<sweep>/trials/<hash>.yaml`) waits after its first epoch (its checkpoint
 * written: core's callbacks run first) until the file `<folder>/<sweep>` exists, so a spec can kill a
 * worker or the sweep at a known point of a trial, whatever the backend's speed.
 * A run resumed from that checkpoint starts at epoch 2 and never waits; the values trained are not
 * touched, so the metric history is that of a run without the plugin.
 */
const hold: TrainerCallback = {
  name: 'test-hold',
  async onEpochEnd(_trainer, epoch) {
    const folder = process.env['ELBO_TEST_HOLD'];
    const sweep = /[\\/]sweeps[\\/]([^\\/]+)[\\/]trials[\\/]/.exec(process.argv.join(' '))?.[1];
    if (!folder || !sweep || epoch !== 1) return;
    while (!existsSync(join(folder, sweep))) await sleep(50);
  },
};

export const elboModule = new ContainerModule(({ bind }) => {
  bind(RunModule).toConstantValue(new ContainerModule((o) => void o.bind(TrainerCallback).toConstantValue(hold)));
});
