#!/usr/bin/env python3
"""One context length of `continuum bench --context` in PyTorch eager: the bench's context model (vocab 64,
d 64, 4 heads, 2 layers, torch_gpt.py's nanoGPT) training on B rows of T tokens with AdamW, attention
as eager PyTorch writes it (the [B, nh, T, T] scores kept for backward). Prints one JSON line: tokens/s
(best of several windows after a warm-up) and the process's peak RSS (VmHWM). One process per length,
so each peak is that length's own.
"""
import argparse
import json
import time

import torch

from torch_gpt import GPT, train_step_fn

V, C, NH, NL = 64, 64, 4, 2


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
    model = GPT(V, args.T, C, NH, NL)
    train_step = train_step_fn(model, args.B, args.T)

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
