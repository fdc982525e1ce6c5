/**
 * Reads back what a real MLflow server stored, through its REST API and plain `fetch` — on purpose
 * independent of the tracker's own client.
 */
export interface StoredRun {
  readonly info: { run_id: string; experiment_id: string; status: string; artifact_uri: string; run_name?: string; end_time?: number; lifecycle_stage?: string };
  readonly data: {
    params?: { key: string; value: string }[];
    tags?: { key: string; value: string }[];
    metrics?: { key: string; value: number; step: number; timestamp: number }[];
  };
}

export interface StoredMetric {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  readonly timestamp: number;
}

async function call<T>(uri: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${uri}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: HTTP ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

export const api = {
  get: <T>(uri: string, endpoint: string, query: Record<string, string>) => call<T>(uri, `/api/2.0/mlflow/${endpoint}?${new URLSearchParams(query)}`),
  post: <T>(uri: string, endpoint: string, body: unknown) =>
    call<T>(uri, `/api/2.0/mlflow/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
};

export async function getRun(uri: string, runId: string): Promise<StoredRun> {
  return (await api.get<{ run: StoredRun }>(uri, 'runs/get', { run_id: runId })).run;
}

export const asRecord = (kvs: readonly { key: string; value: string }[] | undefined): Record<string, string> => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, kv.value]));

/** The full history of one metric, as the server returns it (NaN/±Infinity as numbers again). */
export async function metricHistory(uri: string, runId: string, key: string): Promise<StoredMetric[]> {
  const out: StoredMetric[] = [];
  let token: string | undefined;
  do {
    const page = await api.get<{ metrics?: { key: string; value: number | string; step?: number; timestamp: number }[]; next_page_token?: string }>(uri, 'metrics/get-history', {
      run_id: runId,
      metric_key: key,
      max_results: '25000',
      ...(token ? { page_token: token } : {}),
    });
    for (const m of page.metrics ?? []) out.push({ key: m.key, value: Number(m.value), step: m.step ?? 0, timestamp: m.timestamp });
    token = page.next_page_token;
  } while (token);
  return out;
}

/** Every metric point of a run, sorted by key, step, timestamp. */
export async function allMetrics(uri: string, runId: string): Promise<StoredMetric[]> {
  const run = await getRun(uri, runId);
  const keys = [...new Set((run.data.metrics ?? []).map((m) => m.key))].sort();
  const all = (await Promise.all(keys.map((k) => metricHistory(uri, runId, k)))).flat();
  return sortMetrics(all);
}

export function sortMetrics<T extends { key: string; step: number; timestamp: number }>(ms: readonly T[]): T[] {
  return [...ms].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.step - b.step || a.timestamp - b.timestamp));
}

/** Every artifact file of a run (paths relative to its artifact root), with sizes. */
export async function listArtifacts(uri: string, runId: string, path = ''): Promise<{ path: string; size: number }[]> {
  const res = await api.get<{ files?: { path: string; is_dir: boolean; file_size?: number }[] }>(uri, 'artifacts/list', { run_id: runId, ...(path ? { path } : {}) });
  const out: { path: string; size: number }[] = [];
  for (const f of res.files ?? []) {
    if (f.is_dir) out.push(...(await listArtifacts(uri, runId, f.path)));
    else out.push({ path: f.path, size: Number(f.file_size ?? 0) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Downloads one artifact of a run through the server's artifact proxy. */
export async function downloadArtifact(uri: string, run: StoredRun, path: string): Promise<Buffer> {
  const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
  const res = await fetch(`${uri}/api/2.0/mlflow-artifacts/artifacts/${root}/${path}`);
  if (!res.ok) throw new Error(`download ${path}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export async function experimentByName(uri: string, name: string): Promise<{ experiment_id: string; name: string } | undefined> {
  try {
    return (await api.get<{ experiment: { experiment_id: string; name: string } }>(uri, 'experiments/get-by-name', { experiment_name: name })).experiment;
  } catch (e) {
    if (/HTTP 404/.test((e as Error).message)) return undefined;
    throw e;
  }
}

export async function searchRuns(uri: string, experimentId: string, filter = ''): Promise<StoredRun[]> {
  return (await api.post<{ runs?: StoredRun[] }>(uri, 'runs/search', { experiment_ids: [experimentId], filter, max_results: 1000 })).runs ?? [];
}
