/**
 * Geometry of the procedural sprites, in fractions of the image side (64 px for dSprites).
 *
 * Every shape is drawn inside its own box `[-1, 1]²` of "sprite units"; one sprite unit is
 * `halfExtent · side · scale` pixels (10 px at scale 1, 5 px at scale 0.5 on a 64-px image).
 */
export const SPRITE_GEOMETRY = {
  /** Half-side of the square at scale 1, as a fraction of the image side (10/64). */
  halfExtent: 10 / 64,
  /** The sprite centre runs from `margin` (pos 0) to `1 − margin` (pos 1) of the image side. */
  margin: 0.2,
  /** The ellipse's semi-axes are 1 (along the sprite's x axis) and `ellipseMinor` sprite units. */
  ellipseMinor: 0.5,
} as const;

// The heart curve (x² + y² − 1)³ − x²y³ ≤ 0 spans x ∈ [−1.139, 1.139], y ∈ [−1, 1.236]; these map it
// onto the sprite box [−1, 1]² (tip at the bottom, lobes at the top, before rotation).
const HEART_X = 1.139;
const HEART_Y = 1.118;
const HEART_Y0 = 0.118;

/** Is the point (u, v), in sprite units with v pointing up, inside shape 0 (square), 1 (ellipse) or 2 (heart)? */
export function insideShape(shape: number, u: number, v: number): boolean {
  if (shape === 0) return Math.abs(u) <= 1 && Math.abs(v) <= 1;
  if (shape === 1) {
    const w = v / SPRITE_GEOMETRY.ellipseMinor;
    return u * u + w * w <= 1;
  }
  const x = u * HEART_X;
  const y = v * HEART_Y + HEART_Y0;
  const r = x * x + y * y - 1;
  return r * r * r - x * x * y * y * y <= 0;
}

/**
 * Rasterises one binary sprite into `out[offset … offset + side² − 1]` (row-major, 1 = on).
 *
 * - `shape`: 0 square, 1 ellipse, 2 heart (dSprites' shape classes).
 * - `scale`: multiplies the sprite's size (dSprites: 0.5 … 1).
 * - `orientation`: radians, counter-clockwise as seen on the image (0 and 2π draw the same image).
 * - `posX`, `posY` in [0, 1]: the centre moves left → right with posX and top → bottom with posY,
 *   over the middle 60 % of the image (`SPRITE_GEOMETRY.margin`).
 *
 * A pixel is on when its centre lies inside the rotated, scaled shape: no anti-aliasing, no noise.
 * Only the sprite's bounding box is visited after the image is cleared. Large rotated sprites at the
 * extreme positions may touch or cross the image border, where they are clipped.
 */
export function renderSprite(shape: number, scale: number, orientation: number, posX: number, posY: number, side: number, out: Float32Array | Uint8Array, offset = 0): void {
  out.fill(0, offset, offset + side * side);
  const { halfExtent, margin } = SPRITE_GEOMETRY;
  const span = 1 - 2 * margin;
  const cx = side * (margin + span * posX);
  const cy = side * (margin + span * posY);
  const unit = halfExtent * side * scale;
  const reach = unit * Math.SQRT2;
  const cos = Math.cos(orientation) / unit;
  const sin = Math.sin(orientation) / unit;
  const c0 = Math.max(0, Math.floor(cx - reach - 1));
  const c1 = Math.min(side - 1, Math.ceil(cx + reach));
  const r0 = Math.max(0, Math.floor(cy - reach - 1));
  const r1 = Math.min(side - 1, Math.ceil(cy + reach));
  for (let r = r0; r <= r1; r++) {
    const y = cy - (r + 0.5); // up is positive
    const row = offset + r * side;
    for (let c = c0; c <= c1; c++) {
      const x = c + 0.5 - cx;
      // Rotate the pixel by −orientation into the sprite's own frame, in sprite units.
      const u = x * cos + y * sin;
      const v = -x * sin + y * cos;
      if (insideShape(shape, u, v)) out[row + c] = 1;
    }
  }
}
