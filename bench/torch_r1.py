#!/usr/bin/env python3
"""The benchmark model R1 in PyTorch eager, for `continuum bench` to compare against.

Same model (torch_gpt.py: nanoGPT, pre-LayerNorm, GELU tanh, learned positions, tied head, no dropout), same work
(train: batch 16 x 128 tokens, AdamW with decay on matrices, grad clipping 1.0; generate: 16 prompts
of 32 tokens, 64 new tokens each, sampled, with a KV cache) and the same timing policy (warm-up, then
the best of several windows). Prints one JSON line.

Run PyTorch at its best, or the comparison means nothing: OpenBLAS (Debian's python3-torch falls back
to the reference BLAS without libopenblas0-pthread), OPENBLAS_NUM_THREADS=1 (set by the caller) so that
torch's threads and OpenBLAS's do not oversubscribe the cores, and each task at its best number of
torch threads (2 or 1). Decoding avoids torch 1.13's slow batched products over strided cache views.
"""
import argparse
import json
import resource

import torch
import torch.nn.functional as F

from torch_gpt import GPT, best_rate, train_step_fn

V, CTX, C, NH, NL = 64, 128, 128, 4, 4
B, T = 16, 128
GEN_B, PROMPT, NEW = 16, 32, 64


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2, help='also tried: 1; each task reports its best')
    ap.add_argument('--steps', type=int, default=10, help='training steps per timed window')
    ap.add_argument('--gen-reps', type=int, default=3, help='generations per timed window')
    ap.add_argument('--windows', type=int, default=5)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = GPT(V, CTX, C, NH, NL)
    train_step = train_step_fn(model, B, T)

    prompts = torch.randint(0, V, (GEN_B, PROMPT))
    head = C // NH

    @torch.inference_mode()
    def generate():
        caches = [(torch.empty(GEN_B, NH, CTX, head), torch.empty(GEN_B, NH, CTX, head)) for _ in range(NL)]
        logits = model(prompts, caches, 0)[:, -1]
        pos = PROMPT
        for _ in range(NEW):
            nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)  # (B, 1)
            if pos == PROMPT + NEW - 1:
                break  # the last sampled token needs no forward pass
            logits = model(nxt, caches, pos)[:, -1]
            pos += 1

    # Each task at its best thread count: training gains from 2 threads, small decoding steps may not.
    results = {}
    for threads in sorted({args.threads, 1}, reverse=True):
        torch.set_num_threads(threads)
        for _ in range(3):
            train_step()
        generate()
        train = best_rate(train_step, B * T, args.windows, args.steps)
        gen = best_rate(generate, GEN_B * NEW, args.windows, args.gen_reps)
        results[threads] = (train, gen)
    train_threads = max(results, key=lambda t: results[t][0])
    gen_threads = max(results, key=lambda t: results[t][1])
    print(json.dumps({'torch_version': torch.__version__,
                      'train_tok_s': results[train_threads][0], 'train_threads': train_threads,
                      'gen_tok_s': results[gen_threads][1], 'gen_threads': gen_threads,
                      'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == '__main__':
    main()
