#!/usr/bin/env python3
"""One context length of `continuum bench --context` in PyTorch eager: the bench's context model (vocab 64,
d 64, 4 heads, 2 layers, nanoGPT as in torch_r1.py) training on B rows of T tokens with AdamW, attention
as eager PyTorch writes it (the [B, nh, T, T] scores kept for backward). Prints one JSON line: tokens/s
(best of several windows after a warm-up) and the process's peak RSS (VmHWM). One process per length,
so each peak is that length's own.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

V, C, NH, NL = 64, 64, 4, 2


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C)
        self.c_attn = nn.Linear(C, 3 * C)
        self.c_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)

    def forward(self, x, mask):
        Bx, Tx, _ = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (z.view(Bx, Tx, NH, C // NH).transpose(1, 2) for z in (q, k, v))  # (B, nh, T, hs)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // NH))
        y = F.softmax(att.masked_fill(~mask, float('-inf')), dim=-1) @ v
        x = x + self.c_proj(y.transpose(1, 2).contiguous().view(Bx, Tx, C))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self, ctx):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(ctx, C)
        self.h = nn.ModuleList([Block() for _ in range(NL)])
        self.ln_f = nn.LayerNorm(C)

    def forward(self, idx):
        T = idx.size(1)
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for block in self.h:
            x = block(x, mask)
        return self.ln_f(x) @ self.wte.weight.t()


def peak_rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--T', type=int, required=True)
    ap.add_argument('--B', type=int, required=True)
    ap.add_argument('--steps', type=int, default=2)
    ap.add_argument('--windows', type=int, default=2)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = GPT(args.T)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)
    data = torch.randint(0, V, (args.B, args.T + 1))

    def train_step():
        logits = model(data[:, :-1])
        loss = F.cross_entropy(logits.view(-1, V), data[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    train_step()  # warm-up
    best = 0.0
    for _ in range(args.windows):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            train_step()
        best = max(best, args.B * args.T * args.steps / (time.perf_counter() - t0))
    print(json.dumps({'torch_version': torch.__version__, 'train_tok_s': best, 'peak_rss_mb': peak_rss_mb()}))


if __name__ == '__main__':
    main()
