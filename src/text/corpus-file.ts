/** Node-only: loading a corpus from a text file. The browser builds corpora from fetched text with makeCorpus. */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { makeCorpus, type Corpus } from './corpus.js';
import { functionsCorpus, functionsSpec, type FunctionsCorpus } from './functions.js';
import { markovCorpus, markovSpec, type GeneratedCorpus } from './markov.js';

/** Built-in corpora by name, as paths relative to the repository root. */
export const BUILTIN_CORPORA: Record<string, string> = { shakespeare: 'data/tinyshakespeare.txt' };

/** Loads a built-in corpus by name (`shakespeare`) or any UTF-8 text file by path. */
export function loadCorpus(nameOrPath: string): Corpus {
  const builtin = BUILTIN_CORPORA[nameOrPath];
  const path = builtin ? new URL(`../../${builtin}`, import.meta.url) : nameOrPath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const known = Object.keys(BUILTIN_CORPORA).join(', ');
    throw new Error(`corpus ${nameOrPath}: cannot read it (${(err as Error).message}); give a text file or one of: ${known}`);
  }
  const name = builtin ? nameOrPath : basename(nameOrPath, extname(nameOrPath));
  return makeCorpus(name, text);
}

/** A stage's corpus: a built-in name, a text file, or a generated corpus of Markov genres or random functions. */
export function loadCorpusSpec(spec: string | GeneratedCorpus | FunctionsCorpus): Corpus {
  if (typeof spec === 'string') return loadCorpus(spec);
  return spec.kind === 'functions' ? functionsCorpus(functionsSpec(spec)) : markovCorpus(markovSpec(spec));
}
