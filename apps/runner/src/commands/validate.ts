import { stringify } from 'yaml';
import { loadResolved } from '../setup.js';

/** `elbo validate <config>`: resolves the config fully (every component's options) and prints it. */
export async function validateCommand(args: { config: string; set: string[] }): Promise<number> {
  const { config } = await loadResolved(args.config, args.set);
  process.stdout.write(stringify(config));
  process.stderr.write(`${args.config}: valid\n`);
  return 0;
}
