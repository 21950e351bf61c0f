"""The GGUF reader: what a file says about itself, checked against llama.cpp's own gguf package."""

from __future__ import annotations

import io

import gguf
import pytest
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType, LlamaFileType
from ggufgen import llama_tensors, tiny_llama, write_gguf

from localinterp.errors import InvalidModelFile
from localinterp.gguf import FILE_TYPES, GGML_TYPES, read_header, read_model_spec


def test_type_tables_match_llama_cpp():
    for qtype, (block, size) in GGML_QUANT_SIZES.items():
        ours = GGML_TYPES[qtype.value]
        assert (ours.name, ours.block_size, ours.type_size) == (qtype.name, block, size)
    for ftype in LlamaFileType:
        if ftype.name != "GUESSED":
            assert FILE_TYPES[ftype.value] == ftype.name.removeprefix("MOSTLY_").removeprefix("ALL_")


def test_reader_agrees_with_gguf_package_on_the_real_model(smollm2_path):
    ref = gguf.GGUFReader(str(smollm2_path))
    with smollm2_path.open("rb") as f:
        header = read_header(f, str(smollm2_path))
    assert [t.name for t in header.tensors] == [t.name for t in ref.tensors]
    assert [t.shape for t in header.tensors] == [tuple(int(d) for d in t.shape) for t in ref.tensors]
    assert [header.data_offset + t.offset for t in header.tensors] == [
        int(t.data_offset) for t in ref.tensors
    ]
    assert [t.n_bytes for t in header.tensors] == [int(t.n_bytes) for t in ref.tensors]
    assert header.metadata["general.architecture"] == "llama"
    assert header.metadata["tokenizer.ggml.tokens"].length == 49152


def test_real_model_spec(smollm2_path):
    spec = read_model_spec(smollm2_path)
    assert (spec.architecture, spec.quant, spec.n_layer, spec.n_embd) == ("llama", "Q4_1", 30, 576)
    assert (spec.n_head, spec.n_head_kv[0], spec.key_length, spec.value_length) == (9, 3, 64, 64)
    assert (spec.vocab_size, spec.context_length, spec.n_params) == (49152, 8192, 134_515_008)
    assert spec.weights_bytes == 96_576_768  # the sum of the tensor sizes gguf reports
    assert spec.has_chat_template
    assert spec.tied_output_bytes == spec.input_bytes  # no output.weight: the head reuses the embeddings


def test_header_alone_is_enough_to_plan(tmp_path):
    path = tiny_llama(tmp_path / "m.gguf", data=False)
    with path.open("rb") as f:
        header = read_header(io.BytesIO(f.read()), "remote")
    assert header.data_bytes > 0 and len(header.tensors) == 3 + 2 * 9


def test_split_model_counts_as_one(tmp_path):
    q8 = GGMLQuantizationType.Q8_0
    tensors = llama_tensors(4, 64, 128, 4, 2, 256, q8)
    meta = {
        "block_count": 4,
        "context_length": 2048,
        "embedding_length": 64,
        "feed_forward_length": 128,
        "attention.head_count": 4,
        "attention.head_count_kv": 2,
        "general.file_type": 7,
    }
    halves = [tensors[:20], tensors[20:]]
    for i, part in enumerate(halves, 1):
        split = {"split.no": i - 1, "split.count": 2, "split.tensors.count": len(tensors)}
        write_gguf(
            tmp_path / f"big-0000{i}-of-00002.gguf",
            "llama",
            (meta if i == 1 else {}) | split,
            part,
            vocab=256 if i == 1 else None,
        )
    spec = read_model_spec(tmp_path / "big-00001-of-00002.gguf")
    assert len(spec.files) == 2
    whole = read_model_spec(write_gguf(tmp_path / "whole.gguf", "llama", meta, tensors, vocab=256))
    assert spec.weights_bytes == whole.weights_bytes
    assert spec.layer_bytes == whole.layer_bytes


def test_missing_shard_is_named(tmp_path):
    tiny_llama(tmp_path / "m-00001-of-00003.gguf")
    with pytest.raises(InvalidModelFile, match=r"m-00002-of-00003.gguf, m-00003-of-00003.gguf are missing"):
        read_model_spec(tmp_path / "m-00001-of-00003.gguf")


def test_not_a_gguf_file(tmp_path):
    path = tmp_path / "notes.gguf"
    path.write_text("hello world, not a model")
    with pytest.raises(InvalidModelFile, match="is not a GGUF model file"):
        read_model_spec(path)


def test_legacy_ggml_file_is_recognised(tmp_path):
    path = tmp_path / "old.bin"
    path.write_bytes(b"tjgg" + b"\0" * 64)
    with pytest.raises(InvalidModelFile, match="legacy GGML"):
        read_model_spec(path)


def test_truncated_header(tmp_path):
    path = tiny_llama(tmp_path / "m.gguf")
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(InvalidModelFile, match="truncated: its GGUF header ends at byte"):
        read_model_spec(path)


def test_truncated_tensor_data(tmp_path):
    path = tiny_llama(tmp_path / "m.gguf")
    path.write_bytes(path.read_bytes()[:-1000])
    with pytest.raises(InvalidModelFile, match="truncated: its header promises"):
        read_model_spec(path)


def test_unknown_architecture(tmp_path):
    path = tiny_llama(tmp_path / "m.gguf", arch="nosucharch")
    with pytest.raises(
        InvalidModelFile, match=r"'nosucharch' model, an architecture llama.cpp does not know"
    ):
        read_model_spec(path)


def test_hostile_string_length_is_refused(tmp_path):
    path = tiny_llama(tmp_path / "m.gguf")
    data = bytearray(path.read_bytes())
    data[24:32] = (2**40).to_bytes(8, "little")  # length of the first key
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidModelFile, match="corrupt GGUF header"):
        read_model_spec(path)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(InvalidModelFile, match="is a directory"):
        read_model_spec(tmp_path)
