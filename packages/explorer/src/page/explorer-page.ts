/// <reference lib="dom" />
import * as tf from '@tensorflow/tfjs-core';
// Tensor methods (t.toFloat()…) as Node's TensorFlow.js bundle registers them: components may use them.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { ConditionInput } from '@elbo/core';
import type { SavedModel, SiteData } from '../site-data.js';
import { BrowserModel } from './browser-model.js';
import { drawImage, imageSize, el } from './draw.js';
import { LatentMapView } from './latent-map-view.js';

type Modules = Parameters<typeof BrowserModel.build>[0];

/** What the page shows the outside (tests, the console): its state and timings. */
export interface ExplorerState {
  ready: boolean;
  error?: string;
  backend?: string;
  /** Milliseconds from navigation start until the first image was drawn. */
  loadMs?: number;
  /** Milliseconds from navigation start to each step of loading: script, backend and files, model built, first image. */
  phases: Record<string, number>;
  /** The latent vector shown, in dimension order. */
  z: number[];
  condition?: ConditionInput;
  /** The last decoded mean image (flattened) and how long decoding and drawing it took. */
  last?: { z: number[]; mean: number[]; ms: number };
  decodeMs: number[];
  /** Points picked on the latent map (indices), and the interpolation drawn between two of them. */
  picked: number[];
  /** The map canvas position (CSS pixels, from its top-left corner) of map point i. */
  mapPixel?: (i: number) => [number, number];
}

declare global {
  interface Window {
    elboExplorer: ExplorerState;
  }
}

const state: ExplorerState = { ready: false, z: [], decodeMs: [], picked: [], phases: {} };
window.elboExplorer = state;

/** Entry of the bundled page: starts a backend, loads the model and data, draws the controls. */
export function startExplorer(modules: Modules): void {
  run(modules).catch((e: unknown) => {
    state.error = e instanceof Error ? e.message : String(e);
    const box = document.getElementById('error')!;
    box.textContent = state.error;
    box.hidden = false;
    document.getElementById('status')!.textContent = 'not loaded';
  });
}

async function startBackend(): Promise<string> {
  const forced = new URLSearchParams(location.search).get('backend');
  const order = forced === 'wasm' ? ['wasm'] : ['webgl', 'wasm'];
  const failures: string[] = [];
  for (const name of order) {
    try {
      if (name === 'wasm') setWasmPaths(new URL('./', location.href).href);
      // One compiled program per op, whatever the batch: a slider, a traversal grid and an interpolation share them.
      else tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (name === 'webgl') return tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE') ? 'webgl' : 'webgl (16-bit floats)';
        return name === 'wasm' && order.length > 1 ? `wasm (WebGL: ${failures[0]})` : name;
      }
      failures.push(`${name} did not initialise`);
    } catch (e) {
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(
    `This page decodes with TensorFlow.js, and neither of its backends started in this browser: ${failures.join('; ')}. Try a browser with WebGL or WebAssembly enabled.`,
  );
}

async function fetchOk(path: string): Promise<Response> {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${r.statusText}`);
  return r;
}

async function run(modules: Modules): Promise<void> {
  state.phases['script'] = performance.now();
  const [backend, saved, weights, data] = await Promise.all([
    startBackend(),
    fetchOk('model/model.json').then((r) => r.json() as Promise<SavedModel>),
    fetchOk('model/weights.bin').then((r) => r.arrayBuffer()),
    fetchOk('data.json').then((r) => r.json() as Promise<SiteData>),
  ]);
  state.phases['backend and files'] = performance.now();
  state.backend = backend;
  document.getElementById('backend')!.textContent = `TensorFlow.js ${tf.version_core} · ${backend}`;
  document.getElementById('title')!.textContent = data.title;
  const model = await BrowserModel.build(modules, saved, weights, data.dataset);
  state.phases['model built'] = performance.now();
  const L = model.shape.latentDim;
  const [w, h] = imageSize(saved.shape.dataShape);
  state.z = new Array<number>(L).fill(0);
  sidePanel(data);

  const canvas = document.getElementById('decoded') as HTMLCanvasElement;
  canvas.width = w;
  canvas.height = h;
  const decodeShown = (): void => {
    const t0 = performance.now();
    const mean = model.decodeMean(Float32Array.from(state.z), state.condition);
    drawImage(canvas, mean, saved.shape.dataShape, 0, 0);
    const ms = performance.now() - t0;
    state.decodeMs.push(ms);
    state.last = { z: state.z.slice(), mean: Array.from(mean), ms };
    document.getElementById('timing')!.textContent = `decoded in ${ms.toFixed(1)} ms`;
  };

  // Sliders, most informative dimension first.
  const order = Array.from({ length: L }, (_, i) => i);
  if (data.klPerDim) order.sort((a, b) => data.klPerDim![b]! - data.klPerDim![a]!);
  const traversal = data.traversal ? traversalGrid(model, order, saved.shape.dataShape) : undefined;
  const sliders = document.getElementById('sliders')!;
  const inputs: HTMLInputElement[] = [];
  for (const d of order) {
    const inactive = data.active ? !data.active[d] : false;
    const input = el('input', { type: 'range', min: '-3', max: '3', step: '0.01', value: '0', id: `z${d}` }) as HTMLInputElement;
    const value = el('span', { class: 'value' }, '0.00');
    const kl = data.klPerDim ? ` KL ${data.klPerDim[d]!.toFixed(2)}` : '';
    const row = el(
      'label',
      { class: inactive ? 'slider inactive' : 'slider', title: inactive ? 'inactive: its posterior mean hardly varies over held-out data' : '' },
      el('span', { class: 'name' }, `z${d + 1}${kl}${inactive ? ' (inactive)' : ''}`),
      input,
      value,
    );
    input.addEventListener('input', () => {
      state.z[d] = Number(input.value);
      value.textContent = state.z[d]!.toFixed(2);
      decodeShown();
    });
    input.addEventListener('change', () => traversal?.());
    inputs[d] = input;
    sliders.append(row);
  }
  const showZ = (z: ArrayLike<number>): void => {
    for (let d = 0; d < L; d++) {
      state.z[d] = z[d]!;
      inputs[d]!.value = String(z[d]);
      inputs[d]!.nextElementSibling!.textContent = z[d]!.toFixed(2);
    }
    decodeShown();
    traversal?.();
  };

  let seed = 1;
  document.getElementById('sample')!.addEventListener('click', () => showZ(model.samplePrior(seed++, state.condition)));
  document.getElementById('reset')!.addEventListener('click', () => showZ(new Float32Array(L)));
  const pickClass = conditionPicker(data, (c) => {
    state.condition = c;
    decodeShown();
    traversal?.();
  });

  if (data.map) {
    const strip = document.getElementById('interpolation') as HTMLCanvasElement;
    const view = new LatentMapView(document.getElementById('map') as HTMLCanvasElement, data.map, {
      hover: (i) => {
        // A conditional model encoded the point with its own class: decode it with that class too.
        const label = data.map!.labels?.[i];
        if (pickClass && label !== undefined) pickClass(label);
        showZ(data.map!.means.slice(i * L, (i + 1) * L));
      },
      pick: (picked) => {
        state.picked = picked;
        if (picked.length === 2) interpolate(model, data.map!.means, picked, L, strip, saved.shape.dataShape, state.condition);
      },
    });
    state.mapPixel = (i) => view.pixelOf(i);
  } else document.getElementById('map-section')!.hidden = true;

  decodeShown();
  state.phases['first image'] = performance.now();
  traversal?.();
  state.loadMs = performance.now();
  state.ready = true;
  document.getElementById('status')!.textContent = `ready in ${(state.loadMs / 1000).toFixed(2)} s`;
}

function sidePanel(data: SiteData): void {
  const table = document.getElementById('metrics')!;
  for (const [k, v] of Object.entries(data.metrics).sort(([a], [b]) => a.localeCompare(b)))
    table.append(el('tr', {}, el('td', {}, k), el('td', {}, Number.isInteger(v) ? String(v) : v.toFixed(3))));
  document.getElementById('config')!.textContent = data.configYaml;
}

/** Draws the condition picker; for class conditions, returns a function that selects a class (without decoding). */
function conditionPicker(data: SiteData, onChange: (c: ConditionInput | undefined) => void): ((label: number) => void) | undefined {
  const box = document.getElementById('condition')!;
  const c = data.condition;
  if (!c) {
    box.hidden = true;
    return undefined;
  }
  if (c.kind === 'class') {
    const select = el('select', { id: 'condition-class' }, ...c.classes.map((name, i) => el('option', { value: String(i) }, name))) as HTMLSelectElement;
    select.addEventListener('change', () => onChange({ labels: Int32Array.of(Number(select.value)) }));
    box.append(el('label', {}, 'condition: class ', select));
    onChange({ labels: Int32Array.of(0) });
    return (label) => {
      select.value = String(label);
      state.condition = { labels: Int32Array.of(label) };
    };
  } else {
    const input = el('input', { id: 'condition-vector', value: new Array(c.dim).fill(0).join(','), size: '30' }) as HTMLInputElement;
    const apply = () => {
      const v = input.value.split(',').map(Number);
      if (v.length === c.dim && v.every(Number.isFinite)) onChange({ vectors: Float32Array.from(v) });
      input.setCustomValidity(v.length === c.dim ? '' : `${c.dim} numbers, separated by commas`);
    };
    input.addEventListener('change', apply);
    box.append(el('label', {}, `condition (${c.dim} values) `, input));
    onChange({ vectors: new Float32Array(c.dim) });
    return undefined;
  }
}

/** Each dimension swept over [−3, 3] (7 steps) around the shown z, one row per dimension in slider order. */
function traversalGrid(model: BrowserModel, order: readonly number[], dataShape: readonly number[]): () => void {
  const section = document.getElementById('traversal-section')!;
  section.hidden = false;
  const canvas = document.getElementById('traversal') as HTMLCanvasElement;
  const steps = 7;
  const [w, h] = imageSize(dataShape);
  const L = order.length;
  canvas.width = steps * w;
  canvas.height = L * h;
  return () => {
    const z = new Float32Array(L * steps * L);
    order.forEach((d, row) => {
      for (let s = 0; s < steps; s++) {
        const at = (row * steps + s) * L;
        for (let k = 0; k < L; k++) z[at + k] = state.z[k]!;
        z[at + d] = -3 + s;
      }
    });
    const mean = model.decodeMean(z, repeat(state.condition, L * steps));
    const D = mean.length / (L * steps);
    for (let i = 0; i < L * steps; i++) drawImage(canvas, mean.subarray(i * D, (i + 1) * D), dataShape, (i % steps) * w, Math.floor(i / steps) * h);
  };
}

function interpolate(
  model: BrowserModel,
  means: readonly number[],
  picked: number[],
  L: number,
  canvas: HTMLCanvasElement,
  dataShape: readonly number[],
  cond?: ConditionInput,
): void {
  const steps = 10;
  const [a, b] = [means.slice(picked[0]! * L, (picked[0]! + 1) * L), means.slice(picked[1]! * L, (picked[1]! + 1) * L)];
  const z = new Float32Array(steps * L);
  for (let s = 0; s < steps; s++) for (let k = 0; k < L; k++) z[s * L + k] = a[k]! + ((b[k]! - a[k]!) * s) / (steps - 1);
  const mean = model.decodeMean(z, repeat(cond, steps));
  const [w, h] = imageSize(dataShape);
  canvas.width = steps * w;
  canvas.height = h;
  const D = mean.length / steps;
  for (let s = 0; s < steps; s++) drawImage(canvas, mean.subarray(s * D, (s + 1) * D), dataShape, s * w, 0);
}

/** The same condition for n rows. */
function repeat(c: ConditionInput | undefined, n: number): ConditionInput | undefined {
  if (!c) return undefined;
  if (c.labels) return { labels: new Int32Array(n).fill(c.labels[0]!) };
  const v = c.vectors!;
  const out = new Float32Array(n * v.length);
  for (let i = 0; i < n; i++) out.set(v, i * v.length);
  return { vectors: out };
}
