"""The one PyTorch eager copy of the engines' model, shared by the benches (torch_r1.py, torch_context.py,
torch_small.py): nanoGPT (pre-LayerNorm, GELU tanh, learned positions, tied head, no dropout), any shape, with
an optional KV cache for decoding; and the timing policy (warm-up, then the best of several windows).
"""
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, C, NH):
        super().__init__()
        self.C, self.NH = C, NH
        self.ln_1 = nn.LayerNorm(C)
        self.c_attn = nn.Linear(C, 3 * C)
        self.c_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)

    def attend(self, x, cache=None, pos=0):
        Bx, Tx, _ = x.shape
        C, NH = self.C, self.NH
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
            # Eager attention: the [B, nh, T, P] scores are kept for backward.
            att = (q @ k.transpose(-2, -1)) * scale
            P = k.size(2)
            mask = torch.ones(Tx, P, dtype=torch.bool).tril(diagonal=P - Tx)
            y = F.softmax(att.masked_fill(~mask, float('-inf')), dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(Bx, Tx, C))

    def forward(self, x, cache=None, pos=0):
        x = x + self.attend(x, cache, pos)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self, V, ctx, C, NH, NL):
        super().__init__()
        self.V = V
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(ctx, C)
        self.h = nn.ModuleList([Block(C, NH) for _ in range(NL)])
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


def adamw(model):
    """AdamW as the engines run it: decay on matrices only, betas (0.9, 0.99)."""
    decay = [p for p in model.parameters() if p.dim() == 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': rest, 'weight_decay': 0.0}],
                             lr=1e-3, betas=(0.9, 0.99), eps=1e-8)


def train_step_fn(model, B, T):
    """One training step on fixed random tokens: forward, cross-entropy, backward, clip 1.0, AdamW."""
    opt = adamw(model)
    data = torch.randint(0, model.V, (B, T + 1))

    def step():
        logits = model(data[:, :-1])
        loss = F.cross_entropy(logits.view(-1, model.V), data[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    return step


def best_rate(fn, work, windows, reps):
    best = 0.0
    for _ in range(windows):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = max(best, work * reps / (time.perf_counter() - t0))
    return best
