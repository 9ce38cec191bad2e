/**
 * Renders the Vega-Lite specs of specs.ts in Node: to SVG with vega's headless View (no canvas needed), and
 * from SVG to PNG with resvg. resvg is given the Inter font files that ship in an npm package and told to use
 * them for every generic family, so text renders the same on a machine with no system fonts at all.
 * Node only.
 */
import { Resvg } from '@resvg/resvg-js';
import { createRequire } from 'node:module';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/files.js';

const require = createRequire(import.meta.url);

/** The TTF files handed to resvg: Inter regular and semi-bold (titles use weight 600), from @expo-google-fonts/inter. */
export const FONT_FILES: readonly string[] = ['400Regular/Inter_400Regular.ttf', '600SemiBold/Inter_600SemiBold.ttf', '700Bold/Inter_700Bold.ttf'].map(
  (f) => require.resolve(`@expo-google-fonts/inter/${f}`),
);
const FONT_FAMILY = 'Inter';

/** The chart as an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vegaSpec = compile(spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG document as PNG bytes, at scale times its size (2 for crisp text on high-density screens). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
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
  return resvg.render().asPng();
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
