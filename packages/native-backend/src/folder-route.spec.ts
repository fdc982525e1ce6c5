import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderRoute } from './folder-route.js';
import { checkCApiSymbols, inspectLibtensorflow } from './libtensorflow-folder.js';
import { fakeLibtensorflow, hasToolchain, tempDir, testContext } from '../test/native-fixtures.js';

const root = tempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('route 1: LIBTENSORFLOW_DIR', () => {
  const good = fakeLibtensorflow(join(root, 'good'));

  it('is skipped when the variable is not set', async () => {
    expect(await folderRoute(testContext({}, join(root, 'cache')))).toEqual({ outcome: 'skipped', detail: 'LIBTENSORFLOW_DIR is not set' });
  });

  it('finds a folder laid out like libtensorflow’s archive', async () => {
    const r = await folderRoute(testContext({ LIBTENSORFLOW_DIR: good }, join(root, 'cache')));
    expect(r.outcome).toBe('found');
    if (r.outcome !== 'found') return;
    expect(r.folder.mainLib).toBe(join(good, 'lib', 'libtensorflow.so.2.9.1'));
    expect(r.folder.frameworkLib).toBe(join(good, 'lib', 'libtensorflow_framework.so.2.9.1'));
    expect(r.folder.libEntries).toEqual([
      'libtensorflow.so',
      'libtensorflow.so.2',
      'libtensorflow.so.2.9.1',
      'libtensorflow_framework.so',
      'libtensorflow_framework.so.2',
      'libtensorflow_framework.so.2.9.1',
    ]);
    expect(r.tensorflowVersion).toBe('2.9.1');
    expect(r.source).toBe(`LIBTENSORFLOW_DIR=${good}`);
  });

  it('lists everything missing from a folder that is not one, at once', async () => {
    const bad = join(root, 'bad');
    mkdirSync(join(bad, 'lib'), { recursive: true });
    writeFileSync(join(bad, 'lib', 'libtensorflow_framework.so.2'), '');
    const r = await folderRoute(testContext({ LIBTENSORFLOW_DIR: bad }, join(root, 'cache')));
    expect(r.outcome).toBe('failed');
    expect(r.detail).toContain(`LIBTENSORFLOW_DIR=${bad} is not a libtensorflow folder`);
    expect(r.detail).toContain('no libtensorflow.so* or libtensorflow_cc.so*');
    expect(r.detail).toContain(join(bad, 'include', 'tensorflow/c/c_api.h'));
    expect(r.detail).toContain(join(bad, 'include', 'tensorflow/c/eager/c_api.h'));
    const missing = await inspectLibtensorflow(join(root, 'nowhere'));
    expect(missing).toEqual({ ok: false, problems: [`${join(root, 'nowhere')}: no such folder`] });
  });

  it.skipIf(!hasToolchain)('reads the C API symbols the libraries export (nm -D)', async () => {
    const ok = await inspectLibtensorflow(good);
    const partial = await inspectLibtensorflow(fakeLibtensorflow(join(root, 'partial'), { omit: ['TFE_Execute', 'TF_SessionRun'] }));
    if (!ok.ok || !partial.ok) throw new Error('fixture');
    expect(await checkCApiSymbols(ok.folder)).toMatchObject({ checked: true, missing: [] });
    expect(await checkCApiSymbols(partial.folder)).toMatchObject({ checked: true, missing: ['TFE_Execute', 'TF_SessionRun'] });
  });
});
