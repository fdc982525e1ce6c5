/**
 * Child process of `measureStepModes` (run with `node --import tsx`): loads the native backend
 * through ELBO's own selectBackend and measures the step modes named on the command line, printing
 * one JSON line.
 */
import { selectBackend } from '@elbo/compute';
import { measureModes, type StepMode } from './step-modes.js';

await selectBackend('node', { ignoreEnv: true });
process.stdout.write(`${JSON.stringify({ measured: measureModes(process.argv.slice(2) as StepMode[]) })}\n`);
