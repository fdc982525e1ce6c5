import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import { RunModule, TrainerCallback } from '@elbo/core';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A plugin for the fault specs: with ELBO_TEST_HOLD=<folder> in its environment, a sweep's trial
 * (`elbo train …/sweeps/<sweep>/trials/<hash>.yaml`) waits after its first epoch (its checkpoint
 * written and its metrics logged: core's callbacks run first) until the file `<folder>/<sweep>`
 * exists, so a spec can kill a worker or the sweep at a known point of a trial, whatever the
 * backend's speed. A trial asked to stop (SIGTERM: Ctrl-C on the sweep) stops waiting, and so ends
 * as any trial stopped after an epoch does.
 * A run resumed from that checkpoint starts at epoch 2 and never waits; the values trained are not
 * touched, so the metric history is that of a run without the plugin.
 * It also leaves `<folder>/saw-redis-url-<pid>` when the trial can see ELBO_REDIS_URL, which a
 * worker keeps from its trials.
 */
const hold: TrainerCallback = {
  name: 'test-hold',
  async onEpochEnd(_trainer, epoch) {
    const folder = process.env['ELBO_TEST_HOLD'];
    if (folder && process.env['ELBO_REDIS_URL'] !== undefined) writeFileSync(join(folder, `saw-redis-url-${process.pid}`), '');
    const sweep = /[\\/]sweeps[\\/]([^\\/]+)[\\/]trials[\\/]/.exec(process.argv.join(' '))?.[1];
    if (!folder || !sweep || epoch !== 1) return;
    let stopped = false;
    const stop = () => void (stopped = true);
    process.once('SIGTERM', stop);
    try {
      while (!stopped && !existsSync(join(folder, sweep))) await sleep(50);
    } finally {
      process.removeListener('SIGTERM', stop);
    }
  },
};

export const elboModule = new ContainerModule(({ bind }) => {
  bind(RunModule).toConstantValue(new ContainerModule((o) => void o.bind(TrainerCallback).toConstantValue(hold)));
});
