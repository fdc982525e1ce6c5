import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MlflowRunFiles, MlflowSpool } from './mlflow-spool.js';

let runDir: string;
beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'elbo-spool-'));
});
afterEach(async () => {
  await rm(runDir, { recursive: true, force: true });
});

const state = { trackingUri: 'http://h:1', experimentId: '1', runId: 'abc', artifactUri: 'mlflow-artifacts:/1/abc/artifacts' };

describe('MlflowSpool', () => {
  it('appends durably, numbers events, and replays from the last acknowledged one after reopening', async () => {
    const s = await MlflowSpool.open(runDir);
    expect(s.state).toBeUndefined();
    await s.setState(state);
    const e = await s.append([
      { type: 'params', params: { a: '1' } },
      { type: 'metrics', metrics: [{ key: 'm', value: 'NaN', timestamp: 5, step: 1 }] },
    ]);
    expect(e.map((x) => x.seq)).toEqual([0, 1]);
    await s.ack(0);
    await s.append([{ type: 'status', status: 'FINISHED', endTime: 9 }]);
    const again = await MlflowSpool.open(runDir);
    expect(again.state).toEqual({ format: 'elbo-mlflow/1', ...state, acked: 0 });
    expect(again.pending().map((x) => [x.seq, x.type])).toEqual([
      [1, 'metrics'],
      [2, 'status'],
    ]);
    expect((await again.append([{ type: 'tags', tags: { t: 'v' } }]))[0]!.seq).toBe(3);
  });

  it('ignores a torn last line and cuts it off at the next append', async () => {
    const s = await MlflowSpool.open(runDir);
    await s.append([{ type: 'tags', tags: { a: '1' } }]);
    const file = join(runDir, MlflowRunFiles.spool);
    await writeFile(file, `${await readFile(file, 'utf8')}{"seq":1,"type":"ta`);
    const t = await MlflowSpool.open(runDir);
    expect(t.events).toHaveLength(1);
    await t.append([{ type: 'tags', tags: { b: '2' } }]);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([0, 1]);
  });

  it('records files inside the run folder relative to it', async () => {
    const s = await MlflowSpool.open(runDir);
    expect(s.fileRef(join(runDir, 'artifacts', 'a.png'))).toBe(join('artifacts', 'a.png'));
    expect(s.fileRef('/elsewhere/x')).toBe('/elsewhere/x');
    expect(s.filePath(join('artifacts', 'a.png'))).toBe(join(runDir, 'artifacts', 'a.png'));
  });

  it('one sender at a time: a live holder blocks, a dead one is taken over', async () => {
    const s = await MlflowSpool.open(runDir);
    await mkdir(join(runDir, MlflowRunFiles.dir));
    await writeFile(join(runDir, MlflowRunFiles.lock), JSON.stringify({ pid: process.ppid, host: hostname() }));
    await expect(s.lock()).rejects.toThrow(/is sending this run to MLflow right now/);
    await writeFile(join(runDir, MlflowRunFiles.lock), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    await s.lock();
    expect(JSON.parse(await readFile(join(runDir, MlflowRunFiles.lock), 'utf8'))).toEqual({ pid: process.pid, host: hostname() });
    await s.unlock();
  });
});
