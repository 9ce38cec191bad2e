import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFontMetrics } from '../../src/report/font-metrics.js';
import { FONT_FILES, rasterize } from '../../src/report/render.js';

/** Pixels in an RGBA image that are not white. */
function inked(pixels: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200) n++;
  return n;
}

describe('fonts', () => {
  it('text draws with the shipped font even though system fonts are never loaded', () => {
    const text = (family: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="28" font-family="${family}" font-size="20">accuracy 0.91</text></svg>`;
    const blank = rasterize('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"></svg>', 1);
    expect(inked(blank.pixels)).toBe(0);
    // Inter by name, and the generic family vega falls back to.
    for (const family of ['Inter', 'sans-serif', 'Helvetica, Arial, sans-serif']) {
      const img = rasterize(text(family), 1);
      expect(img.width).toBe(200);
      expect(inked(img.pixels)).toBeGreaterThan(300);
    }
  });

  it("measures text with the font's advance widths", () => {
    const [regular, semibold] = FONT_FILES.map((f) => parseFontMetrics(readFileSync(f)));
    expect(regular.width('i', 10)).toBeLessThan(regular.width('W', 10));
    expect(regular.width('ab', 10)).toBeCloseTo(regular.width('a', 10) + regular.width('b', 10), 10);
    expect(regular.width('accuracy', 20)).toBeCloseTo(2 * regular.width('accuracy', 10), 10);
    // Inter is about 0.55 em per lowercase letter, far from vega's no-canvas guess of 0.8 em.
    const perChar = regular.width('held-out families', 1) / 'held-out families'.length;
    expect(perChar).toBeGreaterThan(0.4);
    expect(perChar).toBeLessThan(0.65);
    expect(semibold.width('Accuracy', 10)).toBeGreaterThan(regular.width('Accuracy', 10));
    // A character the font lacks still takes the width of its missing-glyph box.
    expect(regular.width('\uE000', 10)).toBeGreaterThan(0);
  });
});
