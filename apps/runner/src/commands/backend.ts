import { VERIFIED_TENSORFLOW_WHEEL, provisionNative, remeasureStepModes } from '@elbo/native-backend';
import { Exit } from '../errors.js';

/**
 * `elbo backend native [--tensorflow <version>|latest] [--cache <dir>]`: provisions the native
 * TensorFlow backend from what this machine can reach (LIBTENSORFLOW_DIR, a TFJS_NODE_BASE_URI /
 * TFJS_NODE_CDN_STORAGE mirror, TensorFlow's CPU wheel on PyPI), builds tfjs-node's binding against
 * it and checks it against WASM, then measures which step mode `train.compile: auto` runs. Every
 * attempt goes to stderr as it happens; the outcome to stdout. `--measure` only measures again.
 */
export async function backendCommand(
  args: { target: string; tensorflow?: string; cache?: string; measure?: boolean },
  io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
): Promise<number> {
  if (args.target !== 'native') {
    io.err(`error: elbo backend ${args.target}: only \`native\` can be provisioned (wasm and cpu ship with ELBO)\n`);
    return Exit.usage;
  }
  if (args.measure) {
    const m = await remeasureStepModes();
    if (!m.ok) {
      io.err(`error: elbo backend native --measure: ${m.detail}\n`);
      return Exit.failed;
    }
    io.out(`step modes measured: ${m.detail}\n`);
    return Exit.ok;
  }
  const result = await provisionNative({
    tensorflowVersion: args.tensorflow ?? VERIFIED_TENSORFLOW_WHEEL,
    ...(args.cache ? { cacheDir: args.cache } : {}),
    log: (line) => io.err(`${line}\n`),
  });
  if (result.ok) {
    io.out(
      `native backend ready: TensorFlow ${result.verification?.tensorflow ?? '?'} from ${result.found?.source}; \`backend: auto\` now uses it (elbo doctor shows the details)\n`,
    );
    return Exit.ok;
  }
  const why = result.found
    ? (result.steps.find((s) => !s.ok)?.detail.split('\n')[0] ?? 'a step failed')
    : `no route gave a usable libtensorflow (${result.attempts.map((a) => `${a.route}: ${a.outcome}`).join(', ') || 'build tools missing'})`;
  io.err(`error: the native backend could not be provisioned: ${why}\n`);
  return Exit.failed;
}
