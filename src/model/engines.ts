/**
 * Engine by name, for the CLI's `--engine native|reference` (Node only: it can load the native addon;
 * browser code imports the reference engine directly).
 */
import type { GPTConfig } from './config.js';
import type { Engine, EngineName } from './engine.js';
import { NativeEngine } from './native.js';
import { ReferenceEngine } from './reference.js';

export const engineNames: readonly EngineName[] = ['native', 'reference'];

/** A GPT on the named engine, GPT-2-initialised from `seed` unless `params` are given. */
export function createEngine(name: EngineName, config: GPTConfig, seedOrParams: number | Float32Array = 0): Engine {
  switch (name) {
    case 'native':
      return new NativeEngine(config, seedOrParams);
    case 'reference':
      return new ReferenceEngine(config, seedOrParams);
    default:
      throw new Error(`unknown engine "${String(name)}": choose ${engineNames.join(' or ')}`);
  }
}

/** Parses a --engine flag value. */
export function parseEngineName(value: string): EngineName {
  if ((engineNames as readonly string[]).includes(value)) return value as EngineName;
  throw new Error(`unknown engine "${value}": choose ${engineNames.join(' or ')}`);
}
