"""A llama-architecture decoder (RMSNorm, SwiGLU, RoPE on adjacent pairs, no biases, tied embeddings),
laid out exactly as llama.cpp's `llama` GGUF expects, so export needs no permutation."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

SIZES = {
    # name: (d_model, layers, heads, ffn)
    "tiny": (64, 2, 2, 192),
    "draft": (96, 2, 3, 256),
    "target": (256, 4, 4, 704),
    "large": (512, 6, 8, 1536),
}


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, pos_cos, pos_sin):
    # x: (B, H, T, hd); rotate adjacent pairs (x0, x1), (x2, x3), … (llama.cpp "NORM" rope mode)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    r0 = x0 * pos_cos - x1 * pos_sin
    r1 = x0 * pos_sin + x1 * pos_cos
    return torch.stack((r0, r1), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.attn_norm, self.ffn_norm = RMSNorm(d), RMSNorm(d)
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.gate = nn.Linear(d, ffn, bias=False)
        self.up = nn.Linear(d, ffn, bias=False)
        self.down = nn.Linear(ffn, d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, D = x.shape
        h = self.attn_norm(x)
        q = self.q(h).view(B, T, self.heads, self.hd).transpose(1, 2)
        k = self.k(h).view(B, T, self.heads, self.hd).transpose(1, 2)
        v = self.v(h).view(B, T, self.heads, self.hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + mask
        y = F.softmax(att, dim=-1) @ v
        x = x + self.o(y.transpose(1, 2).reshape(B, T, D))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class LlamaLM(nn.Module):
    def __init__(self, vocab, d, layers, heads, ffn, ctx=128, rope_base=10000.0):
        super().__init__()
        self.cfg = dict(vocab=vocab, d=d, layers=layers, heads=heads, ffn=ffn, ctx=ctx, rope_base=rope_base)
        self.emb = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d, heads, ffn) for _ in range(layers))
        self.norm = RMSNorm(d)
        hd = d // heads
        inv = rope_base ** (-torch.arange(0, hd, 2).float() / hd)
        ang = torch.arange(ctx).float()[:, None] * inv[None, :]
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)
        nn.init.normal_(self.emb.weight, std=0.02)
        for b in self.blocks:
            for lin in (b.q, b.k, b.v, b.gate, b.up):
                nn.init.normal_(lin.weight, std=0.02)
            for lin in (b.o, b.down):
                nn.init.normal_(lin.weight, std=0.02 / math.sqrt(2 * layers))

    def forward(self, idx, select=None):
        """Logits for every position, or only where `select` (a bool mask of idx's shape) is true:
        training needs them at the output positions alone, which saves the vocabulary projection."""
        B, T = idx.shape
        x = self.emb(idx)
        cos, sin = self.cos[:T], self.sin[:T]
        mask = torch.full((T, T), float("-inf")).triu(1)
        for b in self.blocks:
            x = b(x, cos, sin, mask)
        if select is not None:
            x = x[select]
        return self.norm(x) @ self.emb.weight.t()

    def n_params(self):
        return sum(p.numel() for p in self.parameters())
