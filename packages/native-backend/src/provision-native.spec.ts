import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/native-fixtures.js';
import { provisionNative } from './provision-native.js';

const root = tempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('provisionNative', () => {
  it('reports every route and installs nothing when none gives a libtensorflow', async () => {
    const lines: string[] = [];
    const loc = { nodeModules: join(root, 'node_modules'), root, dir: join(root, 'node_modules', '@tensorflow', 'tfjs-node') };
    const r = await provisionNative({ env: { PIP_INDEX_URL: 'http://127.0.0.1:9/simple/' }, cacheDir: join(root, 'cache'), log: (l) => lines.push(l), location: loc });
    expect(r.ok).toBe(false);
    if (process.platform !== 'linux') {
      expect(r.steps).toMatchObject([{ step: 'platform', ok: false }]);
      return;
    }
    if (r.steps[0]!.ok) {
      expect(r.attempts.map((a) => [a.route, a.outcome])).toEqual([
        ['folder', 'skipped'],
        ['mirror', 'skipped'],
        ['pypi', process.arch === 'x64' ? 'failed' : 'skipped'],
      ]);
      expect(r.steps.map((s) => s.step)).toEqual(['build tools']);
      expect(lines).toContain('1. existing folder (LIBTENSORFLOW_DIR): skipped — LIBTENSORFLOW_DIR is not set');
      expect(lines).toContain('2. mirror (TFJS_NODE_BASE_URI / TFJS_NODE_CDN_STORAGE): skipped — neither TFJS_NODE_BASE_URI nor TFJS_NODE_CDN_STORAGE is set');
    } else {
      // no compiler here: said first, before anything is downloaded
      expect(r.steps[0]!.step).toBe('build tools');
      expect(r.attempts).toEqual([]);
    }
    expect(lines[0]).toMatch(/^build tools: (ok|FAILED) — /);
  });
});
