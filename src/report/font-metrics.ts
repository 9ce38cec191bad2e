/**
 * Text widths from a TrueType font's own advance widths (tables head, hhea, hmtx and a Unicode cmap), so that
 * vega lays out a chart in Node for the font the PNG is drawn with. Without a canvas, vega guesses 0.8 em per
 * character, about 45% too wide for Inter, which leaves gaps beside legends and rotated labels.
 * Kerning is ignored: it moves a label by a fraction of a pixel. Pure: works on the font's bytes.
 */

export interface FontMetrics {
  /** Width of a single line of text at fontSize pixels. */
  width(text: string, fontSize: number): number;
}

export function parseFontMetrics(bytes: Uint8Array): FontMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Map<string, number>();
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    const tag = String.fromCharCode(bytes[rec], bytes[rec + 1], bytes[rec + 2], bytes[rec + 3]);
    tables.set(tag, view.getUint32(rec + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`font has no '${tag}' table`);
    return offset;
  };
  const unitsPerEm = view.getUint16(table('head') + 18);
  const numberOfHMetrics = view.getUint16(table('hhea') + 34);
  const hmtx = table('hmtx');
  // Glyphs past numberOfHMetrics share the last advance (monospaced tails).
  const advance = (glyph: number): number => view.getUint16(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));
  const glyphOf = cmapFormat4(view, table('cmap'));

  const cache = new Map<number, number>();
  const emWidth = (code: number): number => {
    let w = cache.get(code);
    if (w === undefined) {
      w = advance(glyphOf(code)) / unitsPerEm;
      cache.set(code, w);
    }
    return w;
  };
  return {
    width(text, fontSize) {
      let em = 0;
      for (let i = 0; i < text.length; i++) em += emWidth(text.charCodeAt(i));
      return em * fontSize;
    },
  };
}

/** The Basic Multilingual Plane lookup of a Windows Unicode cmap subtable (format 4): char code -> glyph id. */
function cmapFormat4(view: DataView, cmap: number): (code: number) => number {
  const count = view.getUint16(cmap + 2);
  let sub = -1;
  for (let i = 0; i < count; i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = view.getUint16(rec);
    const encoding = view.getUint16(rec + 2);
    const offset = cmap + view.getUint32(rec + 4);
    if ((platform === 3 && encoding === 1) || platform === 0) {
      if (view.getUint16(offset) === 4) {
        sub = offset;
        break;
      }
    }
  }
  if (sub < 0) throw new Error('font has no format-4 Unicode cmap');
  const segCount = view.getUint16(sub + 6) / 2;
  const endCodes = sub + 14;
  const startCodes = endCodes + 2 * segCount + 2; // + reservedPad
  const idDeltas = startCodes + 2 * segCount;
  const idRangeOffsets = idDeltas + 2 * segCount;
  return (code) => {
    for (let s = 0; s < segCount; s++) {
      if (code > view.getUint16(endCodes + 2 * s)) continue;
      const start = view.getUint16(startCodes + 2 * s);
      if (code < start) return 0;
      const delta = view.getUint16(idDeltas + 2 * s);
      const rangeOffset = view.getUint16(idRangeOffsets + 2 * s);
      if (rangeOffset === 0) return (code + delta) & 0xffff;
      // idRangeOffset is relative to its own position in the idRangeOffsets array.
      const glyph = view.getUint16(idRangeOffsets + 2 * s + rangeOffset + 2 * (code - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}
