import { writeFileAtomic } from '@elbo/core';
import { configJsonSchema } from '../config/config-json-schema.js';
import { setup } from '../setup.js';

/**
 * `elbo schema [--out elbo.schema.json] [--plugin pkg …]`: the JSON Schema of a run config — the
 * config's own fields and every registered component with its options — for editors
 * (`# yaml-language-server: $schema=./elbo.schema.json` at the top of a config).
 */
export async function schemaCommand(args: { out?: string; plugin: string[] }): Promise<number> {
  const { registry } = await setup(args.plugin);
  const text = `${JSON.stringify(configJsonSchema(registry), null, 2)}\n`;
  if (!args.out) {
    process.stdout.write(text);
    return 0;
  }
  await writeFileAtomic(args.out, text);
  const count = registry.list().length;
  process.stderr.write(`wrote ${args.out}: the run config with ${count} components${args.plugin.length ? ` (plugins: ${args.plugin.join(', ')})` : ''}\n`);
  return 0;
}
