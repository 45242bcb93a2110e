"""GGUF export of a trained LlamaLM (llama architecture, SentencePiece "llama" tokenizer).

Also a command: re-export a checkpoint written by train.py
  python3 export.py --pt out/hark-target.pt --tokenizer out/tokenizer.model --out out --name hark-target
"""
import argparse
import json
import os
import sys

import re

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_writer import GGUFWriter, GGML_F16, GGML_Q8_0, T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING  # noqa: E402


PLACEHOLDER = re.compile(r"^@[a-z_]+[0-9]$")


def export_gguf(cfg, state, sp, path, qtype, name, licence, extra):
    c = dict(cfg)
    w = GGUFWriter()
    w.add("general.architecture", T_STRING, "llama")
    w.add("general.name", T_STRING, name)
    w.add("general.license", T_STRING, licence)
    w.add("general.alignment", T_UINT32, 32)
    w.add("general.file_type", T_UINT32, 7 if qtype == GGML_Q8_0 else 1)
    for k, v in extra.items():
        w.add(f"hark.{k}", T_STRING, str(v))
    w.add("llama.context_length", T_UINT32, c["ctx"])
    w.add("llama.embedding_length", T_UINT32, c["d"])
    w.add("llama.feed_forward_length", T_UINT32, c["ffn"])
    w.add("llama.block_count", T_UINT32, c["layers"])
    w.add("llama.attention.head_count", T_UINT32, c["heads"])
    w.add("llama.attention.head_count_kv", T_UINT32, c["heads"])
    w.add("llama.rope.dimension_count", T_UINT32, c["d"] // c["heads"])
    w.add("llama.rope.freq_base", T_FLOAT32, c["rope_base"])
    w.add("llama.attention.layer_norm_rms_epsilon", T_FLOAT32, 1e-5)
    w.add("tokenizer.ggml.model", T_STRING, "llama")
    n = sp.get_piece_size()
    tokens, scores, types = [], [], []
    for i in range(n):
        tokens.append(sp.id_to_piece(i))
        scores.append(float(sp.get_score(i)))
        # 4 = user-defined: hark's name placeholders ("@light1"), which llama.cpp then keeps whole as SentencePiece does.
        types.append(2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 6 if sp.is_byte(i) else 5 if sp.is_unused(i)
                     else 4 if PLACEHOLDER.match(tokens[-1]) else 1)
    sd = {k: v.detach().float().numpy() for k, v in state.items()}
    if 6 not in types:
        # llama.cpp's SPM tokenizer needs the 256 byte tokens (<0xNN>) for characters outside the vocabulary
        # (and for its newline token); the model never saw them: zero embeddings (logit 0, never above a real answer).
        tokens += [f"<0x{b:02X}>" for b in range(256)]
        scores += [0.0] * 256
        types += [6] * 256
        sd["emb.weight"] = np.concatenate([sd["emb.weight"], np.zeros((256, sd["emb.weight"].shape[1]), dtype=np.float32)])
    c = dict(c, vocab=len(tokens))
    w.add("llama.vocab_size", T_UINT32, c["vocab"])
    w.add_array("tokenizer.ggml.tokens", T_STRING, tokens)
    w.add_array("tokenizer.ggml.scores", T_FLOAT32, scores)
    w.add_array("tokenizer.ggml.token_type", T_INT32, types)
    w.add("tokenizer.ggml.bos_token_id", T_UINT32, sp.bos_id())
    w.add("tokenizer.ggml.eos_token_id", T_UINT32, sp.eos_id())
    w.add("tokenizer.ggml.unknown_token_id", T_UINT32, sp.unk_id())
    w.add("tokenizer.ggml.add_bos_token", T_BOOL, True)
    w.add("tokenizer.ggml.add_eos_token", T_BOOL, False)
    # No space prefix: llama.cpp would add one after every user-defined token too ("@light1 ▁▁lights"), where
    # SentencePiece does not. hark passes " " + text instead, which both tokenize the same way.
    w.add("tokenizer.ggml.add_space_prefix", T_BOOL, False)
    w.add_tensor("token_embd.weight", sd["emb.weight"], qtype)
    for i in range(c["layers"]):
        p = f"blocks.{i}."
        for src, dst in (("attn_norm.weight", "attn_norm"), ("q.weight", "attn_q"), ("k.weight", "attn_k"), ("v.weight", "attn_v"),
                         ("o.weight", "attn_output"), ("ffn_norm.weight", "ffn_norm"), ("gate.weight", "ffn_gate"),
                         ("up.weight", "ffn_up"), ("down.weight", "ffn_down")):
            w.add_tensor(f"blk.{i}.{dst}.weight", sd[p + src], qtype)
    w.add_tensor("output_norm.weight", sd["norm.weight"], qtype)
    w.write(path)


def main():
    import torch
    import sentencepiece as spm
    ap = argparse.ArgumentParser()
    ap.add_argument("--pt", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--licence", default="MIT")
    ap.add_argument("--extra", default="{}")
    a = ap.parse_args()
    ck = torch.load(a.pt)
    sp = spm.SentencePieceProcessor(model_file=a.tokenizer)
    for qt, suffix in ((GGML_F16, "f16"), (GGML_Q8_0, "q8_0")):
        export_gguf(ck["cfg"], ck["state"], sp, os.path.join(a.out, f"{a.name}-{suffix}.gguf"), qt, a.name, a.licence, json.loads(a.extra))


if __name__ == "__main__":
    main()
