/**
 * The reference engine: a GPT in plain TypeScript, the readable specification of the native engine.
 *
 * It processes one sequence (one batch row) at a time: a forward pass over L new tokens that start at
 * position `pos0` and attend to every earlier position through a per-layer store of q|k|v rows. Training
 * runs it with pos0 = 0 over the whole row; generation runs it over a KV cache that grows one token at a
 * time. Parameters, gradients and optimizer moments are Float32Array (the model's real precision);
 * activations are Float64Array so that finite-difference gradient checks are exact enough to be useful.
 *
 * Each layer is a pair of functions, X_forward and X_backward, side by side (as in llm.c).
 * Shapes: L = new tokens, P = positions attended (pos0 + L), C = dModel, NH = heads, HS = C / NH, V = vocab.
 * No Node-only imports: this file runs in browsers.
 */
import { checkTokenShape, paramLayout, type GPTConfig, type TensorView } from './config.js';
import type {
  AdamWConfig,
  Engine,
  ForwardBackwardResult,
  InferenceSession,
  OptimizerState,
} from './engine.js';
import { initParams } from './init.js';

type Vec = Float64Array;

// ---------------------------------------------------------------------------------------------------
// Layers: forward/backward pairs.

/** out[L, OC] = inp[L, IC] @ weight[OC, IC]^T + bias[OC] */
function matmul_forward(out: Vec, inp: Vec, weight: Float32Array, wOff: number, bias: Float32Array | null, bOff: number, L: number, IC: number, OC: number): void {
  for (let i = 0; i < L; i++) {
    const row = i * IC;
    for (let o = 0; o < OC; o++) {
      let sum = bias ? bias[bOff + o] : 0;
      const w = wOff + o * IC;
      for (let k = 0; k < IC; k++) sum += inp[row + k] * weight[w + k];
      out[i * OC + o] = sum;
    }
  }
}

/** Given dout[L, OC]: dinp[L, IC] += dout @ weight; dweight[OC, IC] += dout^T @ inp; dbias[OC] += sum_i dout. */
function matmul_backward(dinp: Vec, dweight: Float32Array, dbias: Float32Array | null, dout: Vec, inp: Vec, weight: Float32Array, wOff: number, bOff: number, L: number, IC: number, OC: number): void {
  for (let i = 0; i < L; i++) {
    for (let o = 0; o < OC; o++) {
      const d = dout[i * OC + o];
      if (d === 0) continue;
      const w = wOff + o * IC;
      for (let k = 0; k < IC; k++) {
        dinp[i * IC + k] += d * weight[w + k];
        dweight[w + k] += d * inp[i * IC + k];
      }
      if (dbias) dbias[bOff + o] += d;
    }
  }
}

const LN_EPS = 1e-5;

/** out[L, C] = (inp - mean) * rstd * gain + bias, per row; saves mean[L] and rstd[L] for the backward pass. */
function layernorm_forward(out: Vec, mean: Vec, rstd: Vec, inp: Vec, params: Float32Array, gOff: number, bOff: number, L: number, C: number): void {
  for (let i = 0; i < L; i++) {
    const row = i * C;
    let m = 0;
    for (let k = 0; k < C; k++) m += inp[row + k];
    m /= C;
    let v = 0;
    for (let k = 0; k < C; k++) v += (inp[row + k] - m) ** 2;
    const s = 1 / Math.sqrt(v / C + LN_EPS);
    for (let k = 0; k < C; k++) out[row + k] = (inp[row + k] - m) * s * params[gOff + k] + params[bOff + k];
    mean[i] = m;
    rstd[i] = s;
  }
}

function layernorm_backward(dinp: Vec, grads: Float32Array, dout: Vec, inp: Vec, params: Float32Array, gOff: number, bOff: number, mean: Vec, rstd: Vec, L: number, C: number): void {
  for (let i = 0; i < L; i++) {
    const row = i * C;
    // dnorm = dout * gain; dx = rstd * (dnorm - mean(dnorm) - norm * mean(dnorm * norm))
    let dnormMean = 0;
    let dnormNormMean = 0;
    for (let k = 0; k < C; k++) {
      const norm = (inp[row + k] - mean[i]) * rstd[i];
      const dnorm = dout[row + k] * params[gOff + k];
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= C;
    dnormNormMean /= C;
    for (let k = 0; k < C; k++) {
      const norm = (inp[row + k] - mean[i]) * rstd[i];
      const dnorm = dout[row + k] * params[gOff + k];
      grads[gOff + k] += dout[row + k] * norm;
      grads[bOff + k] += dout[row + k];
      dinp[row + k] += rstd[i] * (dnorm - dnormMean - norm * dnormNormMean);
    }
  }
}

/**
 * Untiled attention, the definition the tiled kernels below are tested against (the engine used it
 * until contexts grew long): causal self-attention of L new positions (absolute positions
 * pos0 .. pos0+L-1) over a store of q|k|v rows, qkv[P, 3C], whose rows 0 .. pos0+L-1 are filled.
 * Writes out[L, C] and the probabilities att[NH, L, P].
 */
function attention_forward_untiled(out: Vec, att: Vec, qkv: Vec, pos0: number, L: number, P: number, C: number, NH: number): void {
  const HS = C / NH;
  const scale = 1 / Math.sqrt(HS);
  const C3 = 3 * C;
  out.fill(0);
  for (let h = 0; h < NH; h++) {
    for (let i = 0; i < L; i++) {
      const t = pos0 + i; // attends to positions 0..t
      const q = (pos0 + i) * C3 + h * HS;
      const a = (h * L + i) * P;
      let max = -Infinity;
      for (let j = 0; j <= t; j++) {
        const k = j * C3 + C + h * HS;
        let dot = 0;
        for (let d = 0; d < HS; d++) dot += qkv[q + d] * qkv[k + d];
        att[a + j] = dot * scale;
        if (att[a + j] > max) max = att[a + j];
      }
      let sum = 0;
      for (let j = 0; j <= t; j++) {
        att[a + j] = Math.exp(att[a + j] - max);
        sum += att[a + j];
      }
      for (let j = 0; j <= t; j++) att[a + j] /= sum;
      for (let j = t + 1; j < P; j++) att[a + j] = 0;
      const o = i * C + h * HS;
      for (let j = 0; j <= t; j++) {
        const v = j * C3 + 2 * C + h * HS;
        for (let d = 0; d < HS; d++) out[o + d] += att[a + j] * qkv[v + d];
      }
    }
  }
}

/** Training only (pos0 = 0, P = L): dqkv[L, 3C] += gradient through attention of dout[L, C]. */
function attention_backward_untiled(dqkv: Vec, dout: Vec, qkv: Vec, att: Vec, L: number, C: number, NH: number): void {
  const HS = C / NH;
  const scale = 1 / Math.sqrt(HS);
  const C3 = 3 * C;
  const datt = new Float64Array(L);
  for (let h = 0; h < NH; h++) {
    for (let t = 0; t < L; t++) {
      const a = (h * L + t) * L;
      const o = t * C + h * HS;
      // datt[j] = dout_t . v_j ; dv_j += att[t, j] * dout_t
      for (let j = 0; j <= t; j++) {
        const v = j * C3 + 2 * C + h * HS;
        let dot = 0;
        for (let d = 0; d < HS; d++) {
          dot += dout[o + d] * qkv[v + d];
          dqkv[v + d] += att[a + j] * dout[o + d];
        }
        datt[j] = dot;
      }
      // softmax backward: dpre[j] = att[j] * (datt[j] - sum_k att[k] datt[k])
      let inner = 0;
      for (let j = 0; j <= t; j++) inner += att[a + j] * datt[j];
      const q = t * C3 + h * HS;
      for (let j = 0; j <= t; j++) {
        const dpre = att[a + j] * (datt[j] - inner) * scale;
        const k = j * C3 + C + h * HS;
        for (let d = 0; d < HS; d++) {
          dqkv[q + d] += dpre * qkv[k + d];
          dqkv[k + d] += dpre * qkv[q + d];
        }
      }
    }
  }
}

/** Keys per block of the tiled attention (the native engine's kFlashBlock). */
export const ATTENTION_BLOCK = 64;

/**
 * Tiled causal self-attention (FlashAttention): as attention_forward_untiled, but each query row runs
 * an online softmax over blocks of ATTENTION_BLOCK keys, keeping a running max m, a running sum l of
 * exp(s - m) and an unnormalised output, each rescaled by exp(m_old - m_new) when the max grows. Only
 * lse[NH, L] = m + log(l), the log-sum-exp of each row's scaled scores, is kept for the backward pass:
 * O(L) memory, not O(L P).
 */
function attention_forward(out: Vec, lse: Vec, qkv: Vec, pos0: number, L: number, C: number, NH: number): void {
  const HS = C / NH;
  const scale = 1 / Math.sqrt(HS);
  const C3 = 3 * C;
  const s = new Float64Array(ATTENTION_BLOCK);
  const acc = new Float64Array(HS);
  for (let h = 0; h < NH; h++) {
    for (let i = 0; i < L; i++) {
      const t = pos0 + i; // attends to positions 0..t
      const q = t * C3 + h * HS;
      let m = -Infinity;
      let l = 0;
      acc.fill(0);
      for (let j0 = 0; j0 <= t; j0 += ATTENTION_BLOCK) {
        const n = Math.min(ATTENTION_BLOCK, t + 1 - j0); // keys j0 .. j0+n-1 of this block
        let max = m;
        for (let c = 0; c < n; c++) {
          const k = (j0 + c) * C3 + C + h * HS;
          let dot = 0;
          for (let d = 0; d < HS; d++) dot += qkv[q + d] * qkv[k + d];
          s[c] = dot * scale;
          if (s[c] > max) max = s[c];
        }
        const keep = Math.exp(m - max); // rescales the blocks before this one to the new max
        l *= keep;
        for (let d = 0; d < HS; d++) acc[d] *= keep;
        for (let c = 0; c < n; c++) {
          const p = Math.exp(s[c] - max);
          l += p;
          const v = (j0 + c) * C3 + 2 * C + h * HS;
          for (let d = 0; d < HS; d++) acc[d] += p * qkv[v + d];
        }
        m = max;
      }
      const o = i * C + h * HS;
      for (let d = 0; d < HS; d++) out[o + d] = acc[d] / l;
      lse[h * L + i] = m + Math.log(l);
    }
  }
}

/**
 * Training only (pos0 = 0): dqkv[L, 3C] += gradient through tiled attention of dout[L, C], from the
 * forward's out[L, C] and lse[NH, L]. The probabilities are recomputed block by block,
 * p_j = exp(scale q . k_j - lse), and the softmax backward's sum_j p_j dp_j equals dout . out.
 */
function attention_backward(dqkv: Vec, dout: Vec, out: Vec, qkv: Vec, lse: Vec, L: number, C: number, NH: number): void {
  const HS = C / NH;
  const scale = 1 / Math.sqrt(HS);
  const C3 = 3 * C;
  for (let h = 0; h < NH; h++) {
    for (let t = 0; t < L; t++) {
      const o = t * C + h * HS;
      const q = t * C3 + h * HS;
      let inner = 0;
      for (let d = 0; d < HS; d++) inner += dout[o + d] * out[o + d];
      for (let j0 = 0; j0 <= t; j0 += ATTENTION_BLOCK) {
        const n = Math.min(ATTENTION_BLOCK, t + 1 - j0);
        for (let c = 0; c < n; c++) {
          const k = (j0 + c) * C3 + C + h * HS;
          const v = k + C;
          let dot = 0;
          for (let d = 0; d < HS; d++) dot += qkv[q + d] * qkv[k + d];
          const p = Math.exp(dot * scale - lse[h * L + t]);
          let dp = 0; // dout_t . v_j
          for (let d = 0; d < HS; d++) {
            dp += dout[o + d] * qkv[v + d];
            dqkv[v + d] += p * dout[o + d];
          }
          const dpre = p * (dp - inner) * scale;
          for (let d = 0; d < HS; d++) {
            dqkv[q + d] += dpre * qkv[k + d];
            dqkv[k + d] += dpre * qkv[q + d];
          }
        }
      }
    }
  }
}

/** The attention kernels on their own, for tests: tiled (what the engine runs) and untiled. */
export const attentionKernels = {
  forward: attention_forward,
  backward: attention_backward,
  forwardUntiled: attention_forward_untiled,
  backwardUntiled: attention_backward_untiled,
};

const GELU_SCALE = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's): out = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function gelu_forward(out: Vec, inp: Vec, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = inp[i];
    out[i] = 0.5 * x * (1 + Math.tanh(GELU_SCALE * (x + 0.044715 * x * x * x)));
  }
}

function gelu_backward(dinp: Vec, inp: Vec, dout: Vec, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = inp[i];
    const th = Math.tanh(GELU_SCALE * (x + 0.044715 * x * x * x));
    const dudx = GELU_SCALE * (1 + 3 * 0.044715 * x * x);
    dinp[i] += dout[i] * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * dudx);
  }
}

// ---------------------------------------------------------------------------------------------------
// The model: one sequence at a time.

/** Offsets of one layer's tensors in the parameter buffer. */
interface LayerParams {
  ln1g: number; ln1b: number; attnW: number; attnB: number; projW: number; projB: number;
  ln2g: number; ln2b: number; fcW: number; fcB: number; fcProjW: number; fcProjB: number;
}

/** What one layer keeps from its forward pass for the backward pass. Shapes for L new tokens. */
interface LayerActs {
  xIn: Vec; // [L, C] residual stream entering the layer
  ln1: Vec; ln1Mean: Vec; ln1Rstd: Vec; // [L, C], [L], [L]
  lse: Vec; // [NH, L] log-sum-exp of each attention row's scores
  attOut: Vec; // [L, C] attention output before c_proj
  xMid: Vec; // [L, C] residual after attention
  ln2: Vec; ln2Mean: Vec; ln2Rstd: Vec;
  fc: Vec; // [L, 4C] before GELU
  fcGelu: Vec; // [L, 4C]
}

interface SequenceActs {
  tokens: Int32Array; // [L]
  layers: LayerActs[];
  qkv: Vec[]; // per layer [P, 3C]; for training P = L
  xFinal: Vec; // [L, C]
  lnf: Vec; lnfMean: Vec; lnfRstd: Vec;
  logits: Vec; // [L, V]
}

export class ReferenceEngine implements Engine {
  readonly name = 'reference' as const;
  readonly config: GPTConfig;
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly optimizer: OptimizerState;
  private readonly tensors: TensorView[];
  private readonly layerParams: LayerParams[];
  private readonly wte: number;
  private readonly wpe: number;
  private readonly lnfG: number;
  private readonly lnfB: number;

  /** A GPT with the given shape; weights are GPT-2-initialised from `seed` unless `params` are given. */
  constructor(config: GPTConfig, seedOrParams: number | Float32Array = 0) {
    this.config = config;
    const layout = paramLayout(config);
    this.tensors = layout.tensors;
    if (typeof seedOrParams === 'number') this.params = initParams(config, seedOrParams);
    else {
      if (seedOrParams.length !== layout.total) {
        throw new Error(`ReferenceEngine: expected ${layout.total} parameters, got ${seedOrParams.length}`);
      }
      this.params = seedOrParams;
    }
    this.grads = new Float32Array(layout.total);
    this.optimizer = { m: new Float32Array(layout.total), v: new Float32Array(layout.total), t: 0 };
    const at = (name: string) => {
      const t = this.tensors.find((v) => v.name === name);
      if (!t) throw new Error(`missing tensor ${name}`);
      return t.offset;
    };
    this.wte = at('transformer.wte.weight');
    this.wpe = at('transformer.wpe.weight');
    this.lnfG = at('transformer.ln_f.weight');
    this.lnfB = at('transformer.ln_f.bias');
    this.layerParams = [];
    for (let l = 0; l < config.nLayers; l++) {
      const p = `transformer.h.${l}.`;
      this.layerParams.push({
        ln1g: at(p + 'ln_1.weight'), ln1b: at(p + 'ln_1.bias'),
        attnW: at(p + 'attn.c_attn.weight'), attnB: at(p + 'attn.c_attn.bias'),
        projW: at(p + 'attn.c_proj.weight'), projB: at(p + 'attn.c_proj.bias'),
        ln2g: at(p + 'ln_2.weight'), ln2b: at(p + 'ln_2.bias'),
        fcW: at(p + 'mlp.c_fc.weight'), fcB: at(p + 'mlp.c_fc.bias'),
        fcProjW: at(p + 'mlp.c_proj.weight'), fcProjB: at(p + 'mlp.c_proj.bias'),
      });
    }
  }

  /**
   * Forward over L new tokens at positions pos0.., attending through `qkv` (per layer [P, 3C], rows
   * before pos0 already filled: the KV cache). Returns every activation the backward pass needs.
   */
  private forwardSequence(tokens: Int32Array, pos0: number, qkv: Vec[]): SequenceActs {
    const { dModel: C, nHeads: NH, vocabSize: V, mlpRatio } = this.config;
    const L = tokens.length;
    const P = pos0 + L;
    const H = mlpRatio * C;
    const p = this.params;
    // x[L, C] = wte[token] + wpe[position]
    let x = new Float64Array(L * C);
    for (let i = 0; i < L; i++) {
      const tok = tokens[i];
      if (!(tok >= 0 && tok < V)) throw new Error(`token id ${tok} at position ${pos0 + i} is outside the vocabulary [0, ${V})`);
      for (let k = 0; k < C; k++) x[i * C + k] = p[this.wte + tok * C + k] + p[this.wpe + (pos0 + i) * C + k];
    }
    const layers: LayerActs[] = [];
    for (let l = 0; l < this.config.nLayers; l++) {
      const lp = this.layerParams[l];
      const a: LayerActs = {
        xIn: x,
        ln1: new Float64Array(L * C), ln1Mean: new Float64Array(L), ln1Rstd: new Float64Array(L),
        lse: new Float64Array(NH * L), attOut: new Float64Array(L * C), xMid: new Float64Array(L * C),
        ln2: new Float64Array(L * C), ln2Mean: new Float64Array(L), ln2Rstd: new Float64Array(L),
        fc: new Float64Array(L * H), fcGelu: new Float64Array(L * H),
      };
      layernorm_forward(a.ln1, a.ln1Mean, a.ln1Rstd, x, p, lp.ln1g, lp.ln1b, L, C);
      // New q|k|v rows go to positions pos0.. of the store.
      const fresh = new Float64Array(L * 3 * C);
      matmul_forward(fresh, a.ln1, p, lp.attnW, p, lp.attnB, L, C, 3 * C);
      qkv[l].set(fresh, pos0 * 3 * C);
      attention_forward(a.attOut, a.lse, qkv[l], pos0, L, C, NH);
      const proj = new Float64Array(L * C);
      matmul_forward(proj, a.attOut, p, lp.projW, p, lp.projB, L, C, C);
      for (let k = 0; k < L * C; k++) a.xMid[k] = x[k] + proj[k];
      layernorm_forward(a.ln2, a.ln2Mean, a.ln2Rstd, a.xMid, p, lp.ln2g, lp.ln2b, L, C);
      matmul_forward(a.fc, a.ln2, p, lp.fcW, p, lp.fcB, L, C, H);
      gelu_forward(a.fcGelu, a.fc, L * H);
      const mlp = new Float64Array(L * C);
      matmul_forward(mlp, a.fcGelu, p, lp.fcProjW, p, lp.fcProjB, L, H, C);
      const xOut = new Float64Array(L * C);
      for (let k = 0; k < L * C; k++) xOut[k] = a.xMid[k] + mlp[k];
      layers.push(a);
      x = xOut;
    }
    const lnf = new Float64Array(L * C);
    const lnfMean = new Float64Array(L);
    const lnfRstd = new Float64Array(L);
    layernorm_forward(lnf, lnfMean, lnfRstd, x, p, this.lnfG, this.lnfB, L, C);
    // logits[L, V] = lnf @ wte^T (the head is tied to the token embedding)
    const logits = new Float64Array(L * V);
    matmul_forward(logits, lnf, p, this.wte, null, 0, L, C, V);
    return { tokens, layers, qkv, xFinal: x, lnf, lnfMean, lnfRstd, logits };
  }

  /** Backward from dlogits[L, V] through a training forward (pos0 = 0); accumulates into this.grads. */
  private backwardSequence(acts: SequenceActs, dlogits: Vec): void {
    const { dModel: C, nHeads: NH, mlpRatio, vocabSize: V } = this.config;
    const L = acts.tokens.length;
    const H = mlpRatio * C;
    const p = this.params;
    const g = this.grads;
    const dlnf = new Float64Array(L * C);
    matmul_backward(dlnf, g, null, dlogits, acts.lnf, p, this.wte, 0, L, C, V);
    let dx = new Float64Array(L * C);
    layernorm_backward(dx, g, dlnf, acts.xFinal, p, this.lnfG, this.lnfB, acts.lnfMean, acts.lnfRstd, L, C);
    for (let l = this.config.nLayers - 1; l >= 0; l--) {
      const lp = this.layerParams[l];
      const a = acts.layers[l];
      // x_out = x_mid + mlp(ln2(x_mid)): dx flows to x_mid directly and through the MLP.
      const dxMid = dx.slice();
      const dfcGelu = new Float64Array(L * H);
      matmul_backward(dfcGelu, g, g, dx, a.fcGelu, p, lp.fcProjW, lp.fcProjB, L, H, C);
      const dfc = new Float64Array(L * H);
      gelu_backward(dfc, a.fc, dfcGelu, L * H);
      const dln2 = new Float64Array(L * C);
      matmul_backward(dln2, g, g, dfc, a.ln2, p, lp.fcW, lp.fcB, L, C, H);
      layernorm_backward(dxMid, g, dln2, a.xMid, p, lp.ln2g, lp.ln2b, a.ln2Mean, a.ln2Rstd, L, C);
      // x_mid = x_in + c_proj(attention(ln1(x_in)))
      const dxIn = dxMid.slice();
      const dattOut = new Float64Array(L * C);
      matmul_backward(dattOut, g, g, dxMid, a.attOut, p, lp.projW, lp.projB, L, C, C);
      const dqkv = new Float64Array(L * 3 * C);
      attention_backward(dqkv, dattOut, a.attOut, acts.qkv[l], a.lse, L, C, NH);
      const dln1 = new Float64Array(L * C);
      matmul_backward(dln1, g, g, dqkv, a.ln1, p, lp.attnW, lp.attnB, L, C, 3 * C);
      layernorm_backward(dxIn, g, dln1, a.xIn, p, lp.ln1g, lp.ln1b, a.ln1Mean, a.ln1Rstd, L, C);
      dx = dxIn;
    }
    // Embeddings: x = wte[token] + wpe[position]
    for (let i = 0; i < L; i++) {
      const tok = acts.tokens[i];
      for (let k = 0; k < C; k++) {
        g[this.wte + tok * C + k] += dx[i * C + k];
        g[this.wpe + i * C + k] += dx[i * C + k];
      }
    }
  }

  private newStore(P: number): Vec[] {
    return Array.from({ length: this.config.nLayers }, () => new Float64Array(P * 3 * this.config.dModel));
  }


  forwardBackward(tokens: Int32Array, weights: Float32Array, B: number, T: number, normalizer?: number): ForwardBackwardResult {
    checkTokenShape(this.config, tokens, B, T, 1);
    if (weights.length !== B * T) throw new Error(`weights must hold B*T = ${B * T} values, got ${weights.length}`);
    const V = this.config.vocabSize;
    let nonzero = 0;
    for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) nonzero++;
    const norm = normalizer ?? Math.max(1, nonzero);
    const logprobs = new Float32Array(B * T);
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const row = tokens.subarray(b * (T + 1), (b + 1) * (T + 1));
      const acts = this.forwardSequence(row.subarray(0, T), 0, this.newStore(T));
      // dlogits = w / norm * (softmax - onehot(target)), from loss = -w * log softmax(logits)[target] / norm
      const dlogits = new Float64Array(T * V);
      for (let t = 0; t < T; t++) {
        const target = row[t + 1];
        if (!(target >= 0 && target < V)) throw new Error(`target token id ${target} is outside the vocabulary [0, ${V})`);
        const off = t * V;
        const lse = logSumExp(acts.logits, off, V);
        const lp = acts.logits[off + target] - lse;
        logprobs[b * T + t] = lp;
        const w = weights[b * T + t];
        loss -= (w * lp) / norm;
        if (w === 0) continue;
        for (let v = 0; v < V; v++) dlogits[off + v] = (w / norm) * Math.exp(acts.logits[off + v] - lse);
        dlogits[off + target] -= w / norm;
      }
      this.backwardSequence(acts, dlogits);
    }
    return { loss, logprobs };
  }

  logprobs(tokens: Int32Array, B: number, T: number): Float32Array {
    checkTokenShape(this.config, tokens, B, T, 1);
    const V = this.config.vocabSize;
    const out = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      const row = tokens.subarray(b * (T + 1), (b + 1) * (T + 1));
      const { logits } = this.forwardSequence(row.subarray(0, T), 0, this.newStore(T));
      for (let t = 0; t < T; t++) out[b * T + t] = logits[t * V + row[t + 1]] - logSumExp(logits, t * V, V);
    }
    return out;
  }

  logits(tokens: Int32Array, B: number, T: number): Float32Array {
    checkTokenShape(this.config, tokens, B, T, 0);
    const V = this.config.vocabSize;
    const out = new Float32Array(B * T * V);
    for (let b = 0; b < B; b++) {
      const { logits } = this.forwardSequence(tokens.subarray(b * T, (b + 1) * T), 0, this.newStore(T));
      out.set(logits, b * T * V);
    }
    return out;
  }

  step(opt: AdamWConfig): number {
    const norm = adamwStep(this.params, this.grads, this.optimizer, this.tensors, opt);
    this.zeroGrad();
    return norm;
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  createInferenceSession(batch: number): InferenceSession {
    const engine = this;
    const ctx = this.config.contextLength;
    const V = this.config.vocabSize;
    const stores = Array.from({ length: batch }, () => this.newStore(ctx));
    const lengths = new Int32Array(batch);
    const append = (row: number, tokens: Int32Array): Vec => {
      if (!(row >= 0 && row < batch)) throw new Error(`row ${row} is outside the session's batch of ${batch}`);
      if (lengths[row] + tokens.length > ctx) {
        throw new Error(`row ${row} would hold ${lengths[row] + tokens.length} tokens, more than contextLength ${ctx}`);
      }
      const { logits } = engine.forwardSequence(tokens, lengths[row], stores[row]);
      lengths[row] += tokens.length;
      return logits.subarray((tokens.length - 1) * V);
    };
    return {
      batch,
      lengths,
      prefill(row, tokens) {
        if (lengths[row] !== 0) throw new Error(`prefill: row ${row} is not empty`);
        if (tokens.length === 0) throw new Error('prefill: the prompt must hold at least one token');
        return Float32Array.from(append(row, tokens));
      },
      decode(rows, tokens) {
        const out = new Float32Array(rows.length * V);
        for (let i = 0; i < rows.length; i++) out.set(append(rows[i], tokens.subarray(i, i + 1)), i * V);
        return out;
      },
      dispose() {},
    };
  }

  dispose(): void {}
}

function logSumExp(x: Vec, off: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[off + i] > max) max = x[off + i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
  return max + Math.log(sum);
}

/**
 * AdamW with global-norm clipping over the one parameter buffer (PyTorch's semantics: decoupled decay
 * p -= lr * wd * p on 2-D tensors, bias-corrected moments). Returns the gradient norm before clipping.
 */
export function adamwStep(params: Float32Array, grads: Float32Array, state: OptimizerState, tensors: TensorView[], opt: AdamWConfig): number {
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i] * grads[i];
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm)) return norm; // the caller decides; nothing is updated
  const clip = opt.gradClip > 0 && Number.isFinite(opt.gradClip) && norm > opt.gradClip ? opt.gradClip / norm : 1;
  state.t += 1;
  const bc1 = 1 - Math.pow(opt.beta1, state.t);
  const bc2 = 1 - Math.pow(opt.beta2, state.t);
  const { m, v } = state;
  for (const t of tensors) {
    const wd = t.decay ? opt.weightDecay : 0;
    for (let i = t.offset; i < t.offset + t.size; i++) {
      const g = grads[i] * clip;
      m[i] = opt.beta1 * m[i] + (1 - opt.beta1) * g;
      v[i] = opt.beta2 * v[i] + (1 - opt.beta2) * g * g;
      const update = m[i] / bc1 / (Math.sqrt(v[i] / bc2) + opt.eps);
      params[i] -= opt.lr * (update + wd * params[i]);
    }
  }
  return norm;
}
