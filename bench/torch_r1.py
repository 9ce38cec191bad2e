#!/usr/bin/env python3
"""The benchmark model R1 in PyTorch eager, for `continuum bench` to compare against.

Same model (nanoGPT: pre-LayerNorm, GELU tanh, learned positions, tied head, no dropout), same work
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
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

V, CTX, C, NH, NL = 64, 128, 128, 4, 4
B, T = 16, 128
GEN_B, PROMPT, NEW = 16, 32, 64


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C)
        self.c_attn = nn.Linear(C, 3 * C)
        self.c_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)

    def attend(self, x, cache=None, pos=0):
        Bx, Tx, _ = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q = q.view(Bx, Tx, NH, C // NH).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(Bx, Tx, NH, C // NH).transpose(1, 2)
        v = v.view(Bx, Tx, NH, C // NH).transpose(1, 2)
        if cache is not None:  # write the new keys/values, attend over everything so far
            kc, vc = cache
            kc[:, :, pos:pos + Tx] = k
            vc[:, :, pos:pos + Tx] = v
            if pos > 0:  # a prompt (pos 0) attends to its own contiguous k, v: faster products
                k, v = kc[:, :, :pos + Tx], vc[:, :, :pos + Tx]
        scale = 1.0 / math.sqrt(k.size(-1))
        if Tx == 1:
            # One new position (decoding): broadcast-multiply-and-sum beats bmm over the strided
            # cache views, which torch 1.13 runs as one small product per (row, head).
            att = F.softmax((q * k).sum(-1) * scale, dim=-1)  # (B, nh, P)
            y = (att.unsqueeze(-1) * v).sum(-2, keepdim=True)  # (B, nh, 1, hs)
        else:
            att = (q @ k.transpose(-2, -1)) * scale
            P = k.size(2)
            mask = torch.ones(Tx, P, dtype=torch.bool).tril(diagonal=P - Tx)
            y = F.softmax(att.masked_fill(~mask, float('-inf')), dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(Bx, Tx, C))

    def forward(self, x, cache=None, pos=0):
        x = x + self.attend(x, cache, pos)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(CTX, C)
        self.h = nn.ModuleList([Block() for _ in range(NL)])
        self.ln_f = nn.LayerNorm(C)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * NL) if name.endswith(('c_proj.weight', 'mlp_proj.weight')) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith('bias'):
                nn.init.zeros_(p)

    def forward(self, idx, caches=None, pos=0):
        x = self.wte(idx) + self.wpe(torch.arange(pos, pos + idx.size(1)))
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i], pos)
        return self.ln_f(x) @ self.wte.weight.t()  # tied head


def best_rate(fn, work, windows, reps):
    best = 0.0
    for _ in range(windows):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = max(best, work * reps / (time.perf_counter() - t0))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2, help='also tried: 1; each task reports its best')
    ap.add_argument('--steps', type=int, default=10, help='training steps per timed window')
    ap.add_argument('--gen-reps', type=int, default=3, help='generations per timed window')
    ap.add_argument('--windows', type=int, default=5)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = GPT()
    decay = [p for p in model.parameters() if p.dim() == 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': rest, 'weight_decay': 0.0}],
                            lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    data = torch.randint(0, V, (B, T + 1))

    def train_step():
        logits = model(data[:, :-1])
        loss = F.cross_entropy(logits.view(-1, V), data[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

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
