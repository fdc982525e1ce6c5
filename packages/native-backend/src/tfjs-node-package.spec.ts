import { readlinkSync, realpathSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectLibtensorflow } from './libtensorflow-folder.js';
import { fakeLibtensorflow, tempDir, writeStubLibrary } from '../test/native-fixtures.js';
import { stageDeps, tfjsNodeLocation } from './tfjs-node-package.js';

const root = tempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('tfjs-node’s deps/ for the binding build', () => {
  it('links an archive-style folder: every library name, and the headers', async () => {
    const lt = fakeLibtensorflow(join(root, 'archive'));
    const inspection = await inspectLibtensorflow(lt);
    if (!inspection.ok) throw new Error(inspection.problems.join('; '));
    const pkg = join(root, 'tfjs-node-a');
    mkdirSync(join(pkg, 'deps', 'old'), { recursive: true });
    const deps = await stageDeps(pkg, inspection.folder);
    expect(existsSync(join(deps, 'old'))).toBe(false);
    expect(readlinkSync(join(deps, 'include'))).toBe(realpathSync(join(lt, 'include')));
    expect(realpathSync(join(deps, 'lib', 'libtensorflow.so'))).toBe(realpathSync(join(lt, 'lib', 'libtensorflow.so.2.9.1')));
    expect(realpathSync(join(deps, 'lib', 'libtensorflow.so.2'))).toBe(realpathSync(join(lt, 'lib', 'libtensorflow.so.2.9.1')));
    expect(realpathSync(join(deps, 'lib', 'libtensorflow_framework.so'))).toBe(realpathSync(join(lt, 'lib', 'libtensorflow_framework.so.2.9.1')));
  });

  it('links a wheel-style folder, adding the names binding.gyp links against (-ltensorflow -ltensorflow_framework)', async () => {
    const lt = join(root, 'wheel');
    writeStubLibrary(join(lt, 'lib', 'libtensorflow_cc.so.2'), ['TF_Version'], 'libtensorflow_cc.so.2');
    writeStubLibrary(join(lt, 'lib', 'libtensorflow_framework.so.2'), ['TF_NewStatus'], 'libtensorflow_framework.so.2');
    for (const h of ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h']) {
      mkdirSync(join(lt, 'include', h, '..'), { recursive: true });
      writeFileSync(join(lt, 'include', h), '');
    }
    const inspection = await inspectLibtensorflow(lt);
    if (!inspection.ok) throw new Error(inspection.problems.join('; '));
    const deps = await stageDeps(join(root, 'tfjs-node-b'), inspection.folder);
    expect(readlinkSync(join(deps, 'lib', 'libtensorflow.so'))).toBe(realpathSync(join(lt, 'lib', 'libtensorflow_cc.so.2')));
    expect(readlinkSync(join(deps, 'lib', 'libtensorflow_cc.so.2'))).toBe(realpathSync(join(lt, 'lib', 'libtensorflow_cc.so.2')));
    expect(readlinkSync(join(deps, 'lib', 'libtensorflow_framework.so'))).toBe(realpathSync(join(lt, 'lib', 'libtensorflow_framework.so.2')));
  });

  it('installs tfjs-node beside the tfjs-core that core resolves', () => {
    const loc = tfjsNodeLocation();
    expect(existsSync(join(loc.nodeModules, '@tensorflow', 'tfjs-core', 'package.json'))).toBe(true);
    expect(loc.dir).toBe(join(loc.nodeModules, '@tensorflow', 'tfjs-node'));
    expect(existsSync(join(loc.root, 'package.json'))).toBe(true);
  });
});
