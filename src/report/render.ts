/**
 * Renders the Vega-Lite specs of specs.ts in Node: to SVG with vega's headless View (no canvas needed), and
 * from SVG to PNG with resvg. resvg is given the Inter font files that ship in an npm package and told to use
 * them for every generic family, so text renders the same on a machine with no system fonts at all; vega
 * measures text with the same files' advance widths, so the layout fits the text that is drawn.
 * Node only.
 */
import { Resvg } from '@resvg/resvg-js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../util/files.js';
import { parseFontMetrics, type FontMetrics } from './font-metrics.js';

const require = createRequire(import.meta.url);
const interFile = (weight: string): string => require.resolve(`@expo-google-fonts/inter/${weight}/Inter_${weight}.ttf`);

/** The TTF files handed to resvg, from @expo-google-fonts/inter: regular text, semi-bold titles (weight 600), bold. */
export const FONT_FILES: readonly string[] = ['400Regular', '600SemiBold', '700Bold'].map(interFile);
const FONT_FAMILY = 'Inter';

/** Installs Inter's widths as vega's text measure (vega supports replacing textMetrics.width; vl-convert does too). */
function measureTextWithInter(): void {
  const [regular, semibold, bold] = FONT_FILES.map((f) => parseFontMetrics(readFileSync(f)));
  const metricsFor = (weight: unknown): FontMetrics => {
    const w = weight === 'bold' ? 700 : weight === 'normal' || weight == null ? 400 : Number(weight);
    return w >= 650 ? bold : w >= 550 ? semibold : regular;
  };
  // vega-scenegraph's textMetrics is exported at run time but missing from vega's typings.
  const textMetrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
  textMetrics.width = (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const line = text == null ? '' : String(text).trim();
    if (size <= 0 || line === '') return 0;
    const width = metricsFor(item.fontWeight).width(line, size);
    // vega truncates text longer than item.limit when it draws it; the drawn text is then at most limit wide.
    return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}
measureTextWithInter();

/** The chart as an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vegaSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Draws an SVG document at scale times its size with the shipped fonts; pixels are RGBA, row by row. */
export function rasterize(svg: string, scale = 2): { width: number; height: number; pixels: Uint8Array; png: Uint8Array } {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: [...FONT_FILES],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
  });
  const image = resvg.render();
  return { width: image.width, height: image.height, pixels: image.pixels, png: image.asPng() };
}

/** An SVG document as PNG bytes, at scale times its size (2 for crisp text on high-density screens). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  return rasterize(svg, scale).png;
}

export interface WrittenPlot {
  name: string;
  svgPath: string;
  pngPath: string;
  svg: string;
}

/** Writes DIR/NAME.svg and DIR/NAME.png, each atomically; returns the SVG text too, for inlining in report.html. */
export async function writePlot(dir: string, name: string, spec: TopLevelSpec): Promise<WrittenPlot> {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) throw new Error(`plot name "${name}" must be letters, digits, - and _ only`);
  const svg = await renderSvg(spec);
  const svgPath = join(dir, `${name}.svg`);
  const pngPath = join(dir, `${name}.png`);
  writeFileAtomic(svgPath, svg);
  writeFileAtomic(pngPath, svgToPng(svg));
  return { name, svgPath, pngPath, svg };
}
