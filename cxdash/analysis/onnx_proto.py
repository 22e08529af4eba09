"""The few ONNX messages ``e5_int8`` builds its graph from, written as protocol-buffer bytes without the onnx package.

Importing ``onnx`` costs about half a second of CPU (most of it in loading its ``ml_dtypes`` extension), paid by every
comment worker that loads the Japanese embedding model. The graph needs seven message types (model, opset id, graph,
node, attribute, tensor, and the value info of its inputs and outputs), so they are written here directly. Each
function takes the arguments of its ``onnx.helper`` / ``onnx.numpy_helper`` namesake and returns the bytes that
namesake's message serialises to (fields in field-number order, as protobuf writes them; ``onnx.proto`` is proto2, so
repeated numbers are not packed and a field set to its default is still written). ``tests/unit/test_onnx_proto``
compares each with onnx's own.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

# TensorProto.DataType
FLOAT, UINT8, INT8, INT32, INT64 = 1, 2, 3, 6, 7
_DATA_TYPES = {
    np.dtype(np.float32): FLOAT,
    np.dtype(np.uint8): UINT8,
    np.dtype(np.int8): INT8,
    np.dtype(np.int32): INT32,
    np.dtype(np.int64): INT64,
}
# AttributeProto.AttributeType
_ATTR_FLOAT, _ATTR_INT, _ATTR_INTS = 1, 2, 7
_VARINT, _FIXED32, _LENGTH = 0, 5, 2


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # an int64 below zero is written as its 64-bit two's complement (ten bytes)
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _int(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + _varint(int(value))


def _float(field: int, value: float) -> bytes:
    return _key(field, _FIXED32) + struct.pack("<f", value)


def _bytes(field: int, data: bytes) -> bytes:
    return _key(field, _LENGTH) + _varint(len(data)) + data


def _str(field: int, text: str) -> bytes:
    return _bytes(field, text.encode("utf-8"))


def _field_parts(field: int, data: bytes | memoryview) -> list[Any]:
    """A length-delimited field as pieces to be joined later (its data is not copied here)."""
    return [_key(field, _LENGTH), _varint(len(data)), data]


def from_array(array: Any, name: str) -> bytes:
    """A TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian)."""
    a = np.asarray(array)
    dtype = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    data_type = _DATA_TYPES.get(np.dtype(dtype))
    if data_type is None:
        raise TypeError(f"no ONNX tensor type for {a.dtype}")
    data = np.ascontiguousarray(a.astype(dtype, copy=False)).data.cast("B")  # copied once, by the join
    return b"".join([*(_int(1, d) for d in a.shape), _int(2, data_type), _str(8, name), *_field_parts(9, data)])


def _attribute(name: str, value: Any) -> bytes:
    """An AttributeProto: name (1), f (2) or i (3) or ints (8), type (20)."""
    if isinstance(value, (int, np.integer)):
        return _str(1, name) + _int(3, int(value)) + _int(20, _ATTR_INT)
    if isinstance(value, (float, np.floating)):
        return _str(1, name) + _float(2, float(value)) + _int(20, _ATTR_FLOAT)
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        values = list(value)
        if values and all(isinstance(v, (int, np.integer)) for v in values):
            return _str(1, name) + b"".join(_int(8, v) for v in values) + _int(20, _ATTR_INTS)
    raise TypeError(f"attribute {name!r}: only ints, floats and lists of ints are written here")


def make_node(
    op_type: str, inputs: Sequence[str], outputs: Sequence[str], domain: str | None = None, **attributes: Any
) -> bytes:
    """A NodeProto: input (1), output (2), op_type (4), attribute (5, sorted by name), domain (7, when given)."""
    out = b"".join(_str(1, i) for i in inputs) + b"".join(_str(2, o) for o in outputs) + _str(4, op_type)
    out += b"".join(_bytes(5, _attribute(k, v)) for k, v in sorted(attributes.items()) if v is not None)
    return out + (_str(7, domain) if domain is not None else b"")


def make_tensor_value_info(name: str, elem_type: int, shape: Sequence[int | None]) -> bytes:
    """A ValueInfoProto whose type is a tensor of ``elem_type`` and ``shape`` (None: a dimension left open)."""
    dims = b"".join(_bytes(1, b"" if d is None else _int(1, d)) for d in shape)
    tensor_type = _int(1, elem_type) + _bytes(2, dims)
    return _str(1, name) + _bytes(2, _bytes(1, tensor_type))


def graph_parts(
    nodes: Sequence[bytes],
    name: str,
    inputs: Sequence[bytes],
    outputs: Sequence[bytes],
    initializer: Sequence[bytes] = (),
) -> list[bytes]:
    """``make_graph``'s bytes as pieces (the weights are not copied until the model is joined, once)."""
    parts = [_bytes(1, n) for n in nodes] + [_str(2, name)]
    for tensor in initializer:
        parts += _field_parts(5, tensor)
    return parts + [_bytes(11, i) for i in inputs] + [_bytes(12, o) for o in outputs]


def make_graph(
    nodes: Sequence[bytes],
    name: str,
    inputs: Sequence[bytes],
    outputs: Sequence[bytes],
    initializer: Sequence[bytes] = (),
) -> bytes:
    """A GraphProto: node (1), name (2), initializer (5), input (11), output (12)."""
    return b"".join(graph_parts(nodes, name, inputs, outputs, initializer))


def make_opsetid(domain: str, version: int) -> bytes:
    """An OperatorSetIdProto: domain (1), version (2)."""
    return _str(1, domain) + _int(2, version)


def make_model(graph: bytes | Sequence[bytes], opset_imports: Sequence[bytes], ir_version: int) -> bytes:
    """A ModelProto: ir_version (1), graph (7; its bytes, or ``graph_parts``), opset_import (8)."""
    pieces = [graph] if isinstance(graph, bytes) else list(graph)
    head = [_int(1, ir_version), _key(7, _LENGTH), _varint(sum(map(len, pieces)))]
    return b"".join([*head, *pieces, *(_bytes(8, o) for o in opset_imports)])
