/**
 * The GPT's shape and the tensor layout of its one parameter buffer.
 * The layout follows nanoGPT's state_dict names and shapes (PyTorch Linear: weight [out, in]),
 * so a checkpoint saved here loads into nanoGPT as is.
 */
import { z } from 'zod';

export const GPTConfigSchema = z.object({
  vocabSize: z.number().int().min(2).max(1 << 20),
  contextLength: z.number().int().min(1).max(1 << 16),
  dModel: z.number().int().min(1),
  nHeads: z.number().int().min(1),
  nLayers: z.number().int().min(1),
  mlpRatio: z.number().int().min(1).default(4),
});
export type GPTConfig = z.infer<typeof GPTConfigSchema>;

/** Validates a config, with an error that names the field and the fix. */
export function parseGPTConfig(input: unknown): GPTConfig {
  const result = GPTConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`model config: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const cfg = result.data;
  if (cfg.dModel % cfg.nHeads !== 0) {
    throw new Error(
      `model config: dModel (${cfg.dModel}) must be divisible by nHeads (${cfg.nHeads}); ` +
        `pick nHeads among the divisors of dModel`,
    );
  }
  return cfg;
}

export interface TensorView {
  name: string;
  shape: number[];
  offset: number; // in floats, into the parameter buffer
  size: number;
  /** AdamW decays 2-D tensors (matrices, embeddings) only, never LayerNorm gains or biases. */
  decay: boolean;
}

/**
 * Every parameter tensor, in nanoGPT state_dict order, as views into one Float32Array. native/gpt.cpp states
 * the same layout for C++; test/model/layout.test.ts holds the two equal.
 */
export function paramLayout(cfg: GPTConfig): { tensors: TensorView[]; total: number } {
  const C = cfg.dModel;
  const H = cfg.mlpRatio * C;
  const tensors: TensorView[] = [];
  let offset = 0;
  const add = (name: string, shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, shape, offset, size, decay: shape.length === 2 });
    offset += size;
  };
  add('transformer.wte.weight', [cfg.vocabSize, C]);
  add('transformer.wpe.weight', [cfg.contextLength, C]);
  for (let i = 0; i < cfg.nLayers; i++) {
    const p = `transformer.h.${i}.`;
    add(p + 'ln_1.weight', [C]);
    add(p + 'ln_1.bias', [C]);
    add(p + 'attn.c_attn.weight', [3 * C, C]);
    add(p + 'attn.c_attn.bias', [3 * C]);
    add(p + 'attn.c_proj.weight', [C, C]);
    add(p + 'attn.c_proj.bias', [C]);
    add(p + 'ln_2.weight', [C]);
    add(p + 'ln_2.bias', [C]);
    add(p + 'mlp.c_fc.weight', [H, C]);
    add(p + 'mlp.c_fc.bias', [H]);
    add(p + 'mlp.c_proj.weight', [C, H]);
    add(p + 'mlp.c_proj.bias', [C]);
  }
  add('transformer.ln_f.weight', [C]);
  add('transformer.ln_f.bias', [C]);
  // lm_head.weight is tied to transformer.wte.weight: no storage of its own.
  return { tensors, total: offset };
}

/** Named views of one layer's tensors, for engines that walk the model layer by layer. */
export function tensorByName(layout: { tensors: TensorView[] }, name: string): TensorView {
  const t = layout.tensors.find((v) => v.name === name);
  if (!t) throw new Error(`no parameter tensor named ${name}`);
  return t;
}

/**
 * The shape checks every engine makes before a pass: tokens [B, T + extra] with B, T >= 1 and T within the
 * context (extra = 1 when the last column holds targets, 0 for logits).
 */
export function checkTokenShape(config: GPTConfig, tokens: Int32Array, B: number, T: number, extra: number): void {
  if (!(Number.isInteger(B) && B >= 1 && Number.isInteger(T) && T >= 1)) {
    throw new Error(`B and T must be positive integers, got B=${B}, T=${T}`);
  }
  if (T > config.contextLength) {
    throw new Error(`sequence length T=${T} exceeds the model's contextLength ${config.contextLength}`);
  }
  if (tokens.length !== B * (T + extra)) {
    throw new Error(`tokens must hold B*(T+${extra}) = ${B * (T + extra)} ids, got ${tokens.length}`);
  }
}
