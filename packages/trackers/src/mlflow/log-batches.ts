/**
 * The server's limits on what `runs/log-batch` accepts (mlflow/utils/validation.py), and the
 * splitting of a run's records into requests that respect them.
 */
export const MlflowLimits = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  itemsPerBatch: 1000,
  /** The server rejects a log-batch body over 1 MB; stay well below. */
  batchBytes: 900_000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
} as const;

/** A metric point as the REST API takes it: NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity". */
export interface WireMetric {
  readonly key: string;
  readonly value: number | string;
  readonly timestamp: number;
  readonly step: number;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface LogBatch {
  readonly metrics: WireMetric[];
  readonly params: KeyValue[];
  readonly tags: KeyValue[];
}

export type BatchItem = { readonly metric: WireMetric } | { readonly param: KeyValue } | { readonly tag: KeyValue };

/** JSON numbers cannot be NaN or infinite: the server reads these strings instead. */
export function wireNumber(v: number): number | string {
  return Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** Key characters the server accepts (POSIX): letters, digits, `_`, `-`, `.`, space, `:` and `/`. */
const KEY_CHARS = /^[\p{L}\p{N}\p{M}_/.\- :]*$/u;

/** Why the server would reject `key` as a metric, param or tag name, or undefined when it accepts it. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'it is empty';
  if (!KEY_CHARS.test(key)) return 'names may only contain letters, digits, _, -, ., spaces, : and /';
  if ([...key].length > MlflowLimits.keyLength) return `it is longer than ${MlflowLimits.keyLength} characters`;
  if (key.startsWith('/') || key.endsWith('/') || key.includes('//') || key.split('/').some((s) => s === '.' || s === '..')) {
    return 'it would not be a unique path (leading, trailing or double /, or a . or .. segment)';
  }
  return undefined;
}

/**
 * A key the server accepts, close to `key`: characters it rejects become `_`, empty or `.`/`..`
 * segments are dropped, and an over-long key is cut. Returns `key` itself when it is valid.
 */
export function safeKey(key: string): string {
  if (keyProblem(key) === undefined) return key;
  let k = [...key].map((c) => (KEY_CHARS.test(c) ? c : '_')).join('');
  k = k
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .join('/');
  k = [...k].slice(0, MlflowLimits.keyLength).join('').replace(/\/+$/, '');
  return k === '' ? '_' : k;
}

/** `value` cut to `limit` characters (code points, as the server counts), and whether it was cut. */
export function truncate(value: string, limit: number): { value: string; truncated: boolean } {
  if (value.length <= limit) return { value, truncated: false };
  const chars = [...value];
  return chars.length <= limit ? { value, truncated: false } : { value: chars.slice(0, limit).join(''), truncated: true };
}

/**
 * Splits items, in order, into log-batch requests within the server's per-request limits. A param
 * key never appears twice in one request (the server rejects that; across requests a repeated key
 * with the same value is accepted, a different value is rejected — params are immutable).
 */
export function toLogBatches(items: readonly BatchItem[]): LogBatch[] {
  const out: LogBatch[] = [];
  let cur: LogBatch = { metrics: [], params: [], tags: [] };
  let bytes = 0;
  let paramKeys = new Set<string>();
  let tagKeys = new Set<string>();
  const flush = () => {
    if (cur.metrics.length + cur.params.length + cur.tags.length > 0) out.push(cur);
    cur = { metrics: [], params: [], tags: [] };
    bytes = 0;
    paramKeys = new Set();
    tagKeys = new Set();
  };
  for (const item of items) {
    const size = JSON.stringify(item).length + 2;
    const total = cur.metrics.length + cur.params.length + cur.tags.length;
    const full =
      total + 1 > MlflowLimits.itemsPerBatch ||
      bytes + size > MlflowLimits.batchBytes ||
      ('metric' in item && cur.metrics.length + 1 > MlflowLimits.metricsPerBatch) ||
      ('param' in item && (cur.params.length + 1 > MlflowLimits.paramsPerBatch || paramKeys.has(item.param.key))) ||
      ('tag' in item && (cur.tags.length + 1 > MlflowLimits.tagsPerBatch || tagKeys.has(item.tag.key)));
    if (full) flush();
    bytes += size;
    if ('metric' in item) cur.metrics.push(item.metric);
    else if ('param' in item) {
      cur.params.push(item.param);
      paramKeys.add(item.param.key);
    } else {
      cur.tags.push(item.tag);
      tagKeys.add(item.tag.key);
    }
  }
  flush();
  return out;
}
