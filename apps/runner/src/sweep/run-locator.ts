import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RunFiles } from '@elbo/core';

/**
 * Finds run folders by the run name their saved config carries, under `<runs>/<experiment>/`.
 * A config.yaml never changes once written, so names are read once per folder.
 */
export class RunLocator {
  private readonly names = new Map<string, string | undefined>();

  /** The newest run folder under `root` whose config is named `name` (run ids sort by start time). */
  async find(root: string, name: string): Promise<string | undefined> {
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    const dirs = entries.filter((e) => e.isDirectory() && e.name !== 'sweeps').map((e) => join(root, e.name));
    const matches: string[] = [];
    for (const dir of dirs) {
      if (!this.names.has(dir)) {
        const text = await readFile(join(dir, RunFiles.config), 'utf8').catch(() => undefined);
        if (text === undefined) continue; // not a run folder, or one being created
        let runName: unknown;
        try {
          runName = (parseYaml(text) as Record<string, unknown> | null)?.['name'];
        } catch {
          runName = undefined;
        }
        this.names.set(dir, typeof runName === 'string' ? runName : undefined);
      }
      if (this.names.get(dir) === name) matches.push(dir);
    }
    return matches.sort().pop();
  }
}
