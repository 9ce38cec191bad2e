/** The playground's settings: the URL round-trips, and every combination is made runnable with a note. */
import { describe, expect, it } from 'vitest';
import { adjust, DEFAULTS, fromParams, MIX, RANGES, tokensNeeded, toParams, trainFamilies, type PlaygroundSettings } from '../../src/playground/settings.js';

const roundTrip = (s: PlaygroundSettings) => fromParams(new URLSearchParams(toParams(s)));

describe('playground settings', () => {
  it('the defaults run as they are and round-trip through the URL', () => {
    expect(adjust(DEFAULTS).notes).toEqual([]);
    expect(roundTrip(DEFAULTS)).toEqual({ settings: DEFAULTS, notes: [] });
    expect(toParams(DEFAULTS).pool).toBe('inf');
  });

  it('a changed setting round-trips, held-out families and a finite pool included', () => {
    const s = { ...DEFAULTS, pool: 16, heldOut: ['math/add', 'text/reverse'], objective: 'mix' as const, rlFraction: 0.25, context: 32, seed: 9 };
    expect(roundTrip(s)).toEqual({ settings: s, notes: [] });
  });

  it('clamps every number to its range with a note, and unreadable values keep the default', () => {
    const { settings, notes } = fromParams(new URLSearchParams('layers=99&d=3&lr=5&batch=0&seed=-4&rl=7&ctx=abc'));
    expect(settings).toMatchObject({ layers: RANGES.layers.max, dModel: RANGES.dModel.min, lr: RANGES.lr.max, batch: RANGES.batch.min, seed: 0, rlFraction: 1, context: DEFAULTS.context });
    expect(notes.length).toBeGreaterThanOrEqual(7);
  });

  it('heads that do not divide d become the largest divisor below', () => {
    const { settings, notes } = adjust({ ...DEFAULTS, dModel: 24, heads: 5 });
    expect(settings.heads).toBe(4);
    expect(notes[0]).toMatch(/5 heads do not divide d 24/);
  });

  it('a family too long for the context gets an easier level, then a longer context', () => {
    const lower = adjust({ ...DEFAULTS, family: 'math/add', level: 5, context: 16 });
    expect(tokensNeeded('math/add', lower.settings.level)).toBeLessThanOrEqual(16);
    expect(lower.notes.join(' ')).toMatch(/needs more than 16 tokens/);
    const longer = adjust({ ...DEFAULTS, family: 'world/fetch', level: 1, context: 8 });
    expect(longer.settings.context).toBeGreaterThanOrEqual(tokensNeeded('world/fetch', 1));
    expect(longer.notes.join(' ')).toMatch(/using context/);
  });

  it('unknown families, objectives and held-out names are replaced or dropped, never thrown', () => {
    const { settings, notes } = fromParams(new URLSearchParams('family=math/nope&objective=ppo&heldout=icl/lookup,zzz,math/add,math/add'));
    expect(settings).toMatchObject({ family: DEFAULTS.family, objective: DEFAULTS.objective, heldOut: ['math/add'] });
    expect(notes.join(' ')).toMatch(/ppo[\s\S]*no family "math\/nope"[\s\S]*training family[\s\S]*zzz/);
  });

  it('a mix draws its families by the seed among those that fit, never a held-out one', () => {
    const s = adjust({ ...DEFAULTS, family: MIX, mixSize: 4, context: 32, heldOut: ['math/add'] }).settings;
    const families = trainFamilies(s);
    expect(families).toHaveLength(4);
    expect(families).not.toContain('math/add');
    expect(trainFamilies(s)).toEqual(families);
    expect(trainFamilies({ ...s, seed: 2 })).not.toEqual(families);
    for (const f of families) expect(tokensNeeded(f, 1)).toBeLessThanOrEqual(32);
  });
});
