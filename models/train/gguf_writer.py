"""Minimal GGUF v3 writer for llama-architecture models (F32 / F16 / Q8_0 tensors)."""
import struct
import numpy as np

T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY, T_UINT64 = 4, 5, 6, 7, 8, 9, 10
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
ALIGN = 32


def _str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _val(t, v):
    if t == T_UINT32:
        return struct.pack("<I", v)
    if t == T_INT32:
        return struct.pack("<i", v)
    if t == T_FLOAT32:
        return struct.pack("<f", v)
    if t == T_BOOL:
        return struct.pack("<B", 1 if v else 0)
    if t == T_STRING:
        return _str(v)
    if t == T_UINT64:
        return struct.pack("<Q", v)
    raise ValueError(t)


def quantize_q8_0(a):
    """Blocks of 32 along the last axis (GGUF ne[0]): f16 scale + 32 int8."""
    a = a.astype(np.float32).reshape(-1, 32)
    amax = np.abs(a).max(axis=1, keepdims=True)
    d = amax / 127.0
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(d > 0, np.round(a / d), 0).astype(np.int8)
    out = np.zeros(a.shape[0], dtype=[("d", "<f2"), ("q", "i1", 32)])
    out["d"] = d[:, 0].astype(np.float16)
    out["q"] = q
    return out.tobytes()


class GGUFWriter:
    def __init__(self):
        self.kv = []
        self.tensors = []

    def add(self, key, t, v):
        self.kv.append((key, t, v))

    def add_array(self, key, elem_t, values):
        self.kv.append((key, T_ARRAY, (elem_t, values)))

    def add_tensor(self, name, arr, qtype):
        arr = np.ascontiguousarray(arr)
        if arr.ndim == 1 or qtype == GGML_F32:
            data, qtype = arr.astype(np.float32).tobytes(), GGML_F32
        elif qtype == GGML_F16:
            data = arr.astype(np.float16).tobytes()
        elif qtype == GGML_Q8_0:
            assert arr.shape[-1] % 32 == 0, f"{name}: ne[0]={arr.shape[-1]} is not a multiple of 32"
            data = quantize_q8_0(arr)
        else:
            raise ValueError(qtype)
        self.tensors.append((name, list(reversed(arr.shape)), qtype, data))

    def write(self, path):
        out = bytearray()
        out += b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.kv))
        for key, t, v in self.kv:
            out += _str(key) + struct.pack("<I", t)
            if t == T_ARRAY:
                et, vals = v
                out += struct.pack("<IQ", et, len(vals))
                for x in vals:
                    out += _val(et, x)
            else:
                out += _val(t, v)
        offset = 0
        offsets = []
        for name, ne, qt, data in self.tensors:
            offsets.append(offset)
            out += _str(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", n) for n in ne)
            out += struct.pack("<IQ", qt, offset)
            offset += len(data)
            offset += (-offset) % ALIGN
        out += b"\0" * ((-len(out)) % ALIGN)
        for (name, ne, qt, data), off in zip(self.tensors, offsets):
            out += data
            out += b"\0" * ((-len(data)) % ALIGN)
        with open(path, "wb") as f:
            f.write(out)
