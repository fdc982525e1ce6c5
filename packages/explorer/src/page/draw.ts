/// <reference lib="dom" />
/** Width and height of one example as an image: [h, w, c] images, or a row of values for flat data. */
export function imageSize(dataShape: readonly number[]): [number, number] {
  return dataShape.length === 3 ? [dataShape[1]!, dataShape[0]!] : [dataShape.reduce((a, b) => a * b, 1), 1];
}

/**
 * Draws one mean image (values in [0, 1], clamped; 1 or 3 channels, else the first channel) into
 * the canvas at (x, y), one canvas pixel per data pixel.
 */
export function drawImage(canvas: HTMLCanvasElement, mean: ArrayLike<number>, dataShape: readonly number[], x: number, y: number): void {
  const [w, h] = imageSize(dataShape);
  const ch = dataShape.length === 3 ? dataShape[2]! : 1;
  const img = new ImageData(w, h);
  const byte = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  for (let p = 0; p < w * h; p++) {
    const r = byte(mean[p * ch]!);
    const [g, b] = ch === 3 ? [byte(mean[p * ch + 1]!), byte(mean[p * ch + 2]!)] : [r, r];
    img.data.set([r, g, b, 255], p * 4);
  }
  canvas.getContext('2d')!.putImageData(img, x, y);
}

/** A DOM element with attributes and children. */
export function el(tag: string, attrs: Record<string, string>, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== '') e.setAttribute(k, v);
  e.append(...children);
  return e;
}
