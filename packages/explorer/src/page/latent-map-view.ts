/// <reference lib="dom" />
import type { SiteMap } from '../site-data.js';

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * The 2-D latent map as a canvas scatter plot, coloured by label. Hovering a point calls `hover`
 * with its index; clicking picks it (two picks: `pick` gets both, a third starts over).
 */
export class LatentMapView {
  private readonly px: Float32Array;
  private picked: number[] = [];
  private readonly size: number;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly map: SiteMap,
    on: { hover: (i: number) => void; pick: (picked: number[]) => void },
  ) {
    this.size = canvas.width;
    const pad = 10;
    const xs = map.points.filter((_, i) => i % 2 === 0);
    const ys = map.points.filter((_, i) => i % 2 === 1);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const span = (this.size - 2 * pad) / Math.max(x1 - x0, y1 - y0, 1e-9);
    this.px = new Float32Array(map.n * 2);
    for (let i = 0; i < map.n; i++) {
      this.px[2 * i] = pad + (xs[i]! - x0) * span;
      this.px[2 * i + 1] = this.size - pad - (ys[i]! - y0) * span;
    }
    document.getElementById('map-axes')!.textContent = `${map.n} test rows: ${map.axes[0]} → , ${map.axes[1]} ↑`;
    const legend = document.getElementById('map-legend')!;
    if (map.labels) {
      const names = map.labelNames ?? [];
      for (const l of [...new Set(map.labels)].sort((a, b) => a - b)) {
        const sw = document.createElement('span');
        sw.style.color = COLOURS[l % COLOURS.length]!;
        sw.textContent = `● ${names[l] ?? l} `;
        legend.append(sw);
      }
    }
    let last = -1;
    canvas.addEventListener('mousemove', (e) => {
      const i = this.nearest(e);
      if (i >= 0 && i !== last) on.hover(i);
      last = i;
    });
    canvas.addEventListener('click', (e) => {
      const i = this.nearest(e);
      if (i < 0) return;
      on.hover(i);
      this.picked = this.picked.length >= 2 ? [i] : [...this.picked, i];
      this.draw();
      on.pick(this.picked.slice());
    });
    this.draw();
  }

  /** Where point i is drawn, in CSS pixels from the canvas's top-left corner. */
  pixelOf(i: number): [number, number] {
    const k = this.canvas.clientWidth / this.size;
    return [this.px[2 * i]! * k, this.px[2 * i + 1]! * k];
  }

  private nearest(e: MouseEvent): number {
    const r = this.canvas.getBoundingClientRect();
    const k = this.size / r.width;
    const [x, y] = [(e.clientX - r.left) * k, (e.clientY - r.top) * k];
    let best = -1;
    let bestD = 8 * 8;
    for (let i = 0; i < this.map.n; i++) {
      const d = (this.px[2 * i]! - x) ** 2 + (this.px[2 * i + 1]! - y) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    return best;
  }

  private draw(): void {
    const g = this.canvas.getContext('2d')!;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, this.size, this.size);
    for (let i = 0; i < this.map.n; i++) {
      g.fillStyle = this.map.labels ? COLOURS[this.map.labels[i]! % COLOURS.length]! : '#1f77b4';
      g.globalAlpha = 0.7;
      g.beginPath();
      g.arc(this.px[2 * i]!, this.px[2 * i + 1]!, 3, 0, 2 * Math.PI);
      g.fill();
    }
    g.globalAlpha = 1;
    for (const [j, i] of this.picked.entries()) {
      g.strokeStyle = '#000';
      g.lineWidth = 2;
      g.beginPath();
      g.arc(this.px[2 * i]!, this.px[2 * i + 1]!, 7, 0, 2 * Math.PI);
      g.stroke();
      g.fillStyle = '#000';
      g.fillText(j === 0 ? 'A' : 'B', this.px[2 * i]! + 8, this.px[2 * i + 1]! - 8);
    }
  }
}
