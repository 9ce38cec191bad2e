#!/usr/bin/env python3
"""The studies' small models in PyTorch eager, for `continuum bench` to compare against: vocab 100, d 64,
4 heads, 2 layers (torch_gpt.py's nanoGPT) with contextLength T, training on B rows of T tokens with AdamW,
for each `--configs T:B,...`. Each config at its best torch thread count (2 or 1), tokens/s the best of several
windows after a warm-up. Prints one JSON line.
"""
import argparse
import json

import torch

from torch_gpt import GPT, best_rate, train_step_fn

V, C, NH, NL = 100, 64, 4, 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--configs', required=True, help='T:B pairs, comma-separated, e.g. 32:32,64:64')
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--windows', type=int, default=5)
    args = ap.parse_args()
    rows = []
    for pair in args.configs.split(','):
        T, B = (int(v) for v in pair.split(':'))
        best = (0.0, 0)
        for threads in (2, 1):
            torch.set_num_threads(threads)
            torch.manual_seed(0)
            step = train_step_fn(GPT(V, T, C, NH, NL), B, T)
            for _ in range(3):
                step()
            rate = best_rate(step, B * T, args.windows, args.steps)
            best = max(best, (rate, threads))
        rows.append({'T': T, 'B': B, 'train_tok_s': best[0], 'threads': best[1]})
    print(json.dumps({'torch_version': torch.__version__, 'small': rows}))


if __name__ == '__main__':
    main()
