import { trainRun, StderrLogger, readRunConfig, resolveConfig, ConfigError } from '@elbo/core';
import { loadResolved, setup } from '../setup.js';
import { Exit } from '../errors.js';
import { interruptSignal } from '../interrupt.js';

export interface TrainArgs {
  config?: string;
  set: string[];
  resume?: string;
}

/**
 * `elbo train <config> [--set a.b=c …] [--resume <run-dir>]`. Ctrl-C stops at the next step and
 * ends the run KILLED (its last checkpoint stays resumable); a second Ctrl-C exits at once.
 */
export async function train(args: TrainArgs): Promise<number> {
  const logger = new StderrLogger(!!process.env['ELBO_DEBUG']);
  let resolved;
  if (args.resume) {
    if (args.set.length) throw new ConfigError('--resume continues a run with its saved config; --set cannot change it');
    const raw = await readRunConfig(args.resume);
    const plugins = Array.isArray(raw['plugins']) ? (raw['plugins'] as string[]) : [];
    const s = await setup(plugins);
    resolved = { ...s, config: resolveConfig(raw, s.registry, `${args.resume}/config.yaml`) };
  } else {
    if (!args.config) throw new ConfigError('train: give a config file (elbo train examples/mnist-vae.yaml) or --resume <run-dir>');
    resolved = await loadResolved(args.config, args.set);
  }
  const interrupt = interruptSignal(logger, 'stopping after this step (Ctrl-C again to quit at once)');
  try {
    const result = await trainRun({ ...resolved, logger, resumeDir: args.resume, signal: interrupt.signal });
    process.stdout.write(`${result.runDir}\n`);
    return Exit.ok;
  } catch (e) {
    if (interrupt.signal.aborted) return Exit.interrupted;
    throw e;
  } finally {
    interrupt.dispose();
  }
}
