"""Readers, writers and the run planner: what goes in, what comes out, what is refused."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import zlib
from pathlib import Path

import pytest
import zstandard

from cleaner import load_config
from cleaner.config import Fields
from cleaner.errors import InputError
from cleaner.io import read_items, writers
from cleaner.run import BATCH, plan, run

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def config():
    return load_config()


def read(path: Path, fields: Fields = Fields()) -> list:
    return list(read_items(path, str(path), "doc-id", fields))


def one(path: Path):
    items = read(path)
    assert len(items) == 1
    return items[0]


def seed_text(n: int = 0) -> str:
    return sorted(SEEDS.glob("*.txt"))[n].read_text(encoding="utf-8")


def jsonl_bytes(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def read_jsonl(path: Path) -> list[dict]:
    if path.name.endswith(".gz"):
        data = gzip.decompress(path.read_bytes())
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().stream_reader(path.read_bytes()).read()
    else:
        data = path.read_bytes()
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------- .txt / .html


def test_txt_utf8(tmp_path):
    text = "Zürich, 3 March — The council met.\n\nIt voted 7–2.\n"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode("utf-8"))
    item = one(path)
    assert item.error is None
    assert item.doc.text == text
    assert item.doc.kind == "text"
    assert item.doc.id == "doc-id"
    assert item.source == str(path)
    assert item.notes == {}


@pytest.mark.parametrize(
    "text",
    ["caf\xe9 cr\xe8me", "Le caf\xe9 cr\xe8me co\xfbte deux euros \xe0 Paris, d\xe9clare le g\xe9rant du bistrot."],
    ids=["short", "sentence"],
)
def test_txt_cp1252_is_detected(tmp_path, text):
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    item = one(path)
    assert item.error is None
    assert item.doc.text == text
    assert "detected" in item.notes["encoding"]
    assert "not UTF-8" in item.notes["encoding"]


def test_txt_stray_bad_byte_is_replaced(tmp_path):
    path = tmp_path / "mostly.txt"
    path.write_bytes("Köln: the café opened ".encode() + b"\xff" + b" on Monday.")
    item = one(path)
    assert item.error is None
    assert item.doc.text == "Köln: the café opened \ufffd on Monday."
    note = item.notes["encoding"]
    assert "U+FFFD" in note and "1 bad sequence" in note


def test_txt_utf16_with_bom(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("Grüße aus Wien.".encode("utf-16"))
    item = one(path)
    assert item.doc.text == "Grüße aus Wien."
    assert "utf-16" in item.notes["encoding"]


def test_txt_with_nul_bytes_is_an_error(tmp_path):
    path = tmp_path / "blob.txt"
    path.write_bytes(b"PK\x03\x04\x00\x00binary stuff\x00")
    item = one(path)
    assert item.doc is None
    assert "binary" in item.error
    assert item.source == str(path)


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n  \n"], ids=["empty", "whitespace"])
def test_txt_empty_is_an_error(tmp_path, data):
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    item = one(path)
    assert item.doc is None
    assert item.error == "empty document"


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_html_gives_an_html_document(tmp_path, suffix):
    page = "<html><body><p>Hello <b>world</b>.</p></body></html>"
    path = tmp_path / f"page{suffix}"
    path.write_text(page, encoding="utf-8")
    item = one(path)
    assert item.doc.kind == "html"
    assert item.doc.text == page


def test_unsupported_file_is_an_error_item(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# hi", encoding="utf-8")
    assert one(path).error == "unsupported file type"


# ---------------------------------------------------------------- .jsonl

RECORDS = [
    {"id": "a1", "title": "First", "text": "Alpha story.", "lang": "en"},
    {"id": 7, "text": "Beta story.", "tags": ["x", "y"]},
    {"text": "Gamma story, no id."},
]


def test_jsonl_fields_and_record(tmp_path):
    path = tmp_path / "shard.jsonl"
    path.write_bytes(jsonl_bytes(RECORDS))
    items = read(path)
    assert [i.error for i in items] == [None, None, None]
    assert [i.doc.text for i in items] == ["Alpha story.", "Beta story.", "Gamma story, no id."]
    assert [i.doc.id for i in items] == ["a1", "7", "doc-id:3"]
    assert [i.source for i in items] == [f"{path}:1", f"{path}:2", f"{path}:3"]
    assert [i.record for i in items] == RECORDS


def test_jsonl_bad_lines_are_error_items_with_line_numbers(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [
        '{"id": "a", "text": "Alpha."}',  # 1
        '{"id": "b", "text": "unterminated',  # 2 malformed
        "[1, 2, 3]",  # 3 not an object
        '{"id": "c", "body": "no text field"}',  # 4
        "",  # 5 blank
        "   ",  # 6 blank
        '{"id": "d", "text": 42}',  # 7 text not a string
        '{"id": "e", "text": "Echo."}',  # 8
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(path)
    got = [(i.source, i.doc.text if i.doc else None, i.error is not None) for i in items]
    assert got == [
        (f"{path}:1", "Alpha.", False),
        (f"{path}:2", None, True),
        (f"{path}:3", None, True),
        (f"{path}:4", None, True),
        (f"{path}:7", None, True),
        (f"{path}:8", "Echo.", False),
    ]
    errors = [i.error for i in items if i.error]
    assert "malformed JSON" in errors[0]
    assert "not a JSON object" in errors[1]
    assert "no `text` field" in errors[2]
    assert "`text` is not a string" in errors[3]


def test_jsonl_configurable_field_names(tmp_path):
    path = tmp_path / "custom.jsonl"
    path.write_bytes(jsonl_bytes([{"uid": "u-1", "body": "Body text.", "text": "not this", "id": "nor this"}]))
    (item,) = read(path, Fields(text="body", id="uid"))
    assert item.doc.text == "Body text."
    assert item.doc.id == "u-1"
    (default,) = read(path)
    assert default.doc.text == "not this"


def test_jsonl_big_integer_is_kept_exact(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text('{"id": "x", "text": "Story.", "n": 123456789012345678901234567890}\n', encoding="utf-8")
    (item,) = read(path)
    assert item.error is None
    assert item.record["n"] == 123456789012345678901234567890


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_compressed_jsonl_reads_like_plain(tmp_path, suffix):
    data = jsonl_bytes(RECORDS) + b"\n{broken\n"
    plain = tmp_path / "s.jsonl"
    plain.write_bytes(data)
    packed = tmp_path / f"s{suffix}"
    packed.write_bytes(gzip.compress(data) if suffix.endswith("gz") else zstandard.ZstdCompressor().compress(data))

    def summary(path):
        return [
            (i.source.rsplit(":", 1)[1], i.doc and i.doc.text, i.doc and i.doc.id, i.record, bool(i.error))
            for i in read(path)
        ]

    assert summary(packed) == summary(plain)
    assert len(summary(packed)) == 4


def big_shard() -> tuple[list[dict], bytes]:
    # about 1 MB: zstd decodes whole 128 KB blocks, so the cut must leave complete blocks
    records = [{"id": f"r{i}", "text": f"Record {i}. " + "Lorem ipsum dolor sit amet. " * 8} for i in range(4000)]
    return records, jsonl_bytes(records)


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_truncated_compressed_jsonl_yields_good_records_then_an_error(tmp_path, suffix):
    records, data = big_shard()
    packed = gzip.compress(data) if suffix.endswith("gz") else zstandard.ZstdCompressor().compress(data)
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(packed[: len(packed) // 2])
    items = read(path)
    good = [i for i in items if i.doc is not None]
    assert items, "a truncated file must not read as empty"
    assert items[-1].error is not None
    assert "corrupt" in items[-1].error or "truncated" in items[-1].error
    assert 0 < len(good) < len(records)
    assert [i.record for i in good] == records[: len(good)]


# ---------------------------------------------------------------- writers, through run


def html_page(body_text: str) -> str:
    paras = "".join(f"<p>{p}</p>\n" for p in body_text.split("\n\n") if p.strip())
    return (
        "<html><head><title>News</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>El Salvador offer</h1>\n{paras}</article>"
        "<footer>Copyright 2025</footer></body></html>"
    )


@pytest.fixture
def tree(tmp_path):
    """in/ with nested text, a page, a gz shard and a zst shard; returns (in, out)."""
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    (src / "a" / "b.txt").write_text(seed_text(0), encoding="utf-8")
    (src / "top.txt").write_text(seed_text(1), encoding="utf-8")
    (src / "x.html").write_text(html_page(seed_text(3)), encoding="utf-8")
    records = [
        {"id": "n1", "title": "One", "text": "The council met on Monday.\n\nADVERTISEMENT\n\nIt voted 7-2.", "n": 1},
        {"source": "wire", "text": "Markets fell.\n\nAd Feedback\n\nStocks rose later.", "id": "n2", "x": {"k": [1]}},
    ]
    (src / "s.jsonl.gz").write_bytes(gzip.compress(jsonl_bytes(records)))
    (src / "deep" / "er").mkdir(parents=True)
    (src / "deep" / "er" / "t.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(jsonl_bytes(records)))
    return src, tmp_path / "out", records


def test_output_mirrors_input_layout(tree, config):
    src, out, _ = tree
    result = run([src], out, config)
    assert result.failures == []
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".cleaner" not in p.parts)
    assert written == ["a/b.txt", "deep/er/t.jsonl.zst", "s.jsonl.gz", "top.txt", "x.txt"]
    assert (out / "a" / "b.txt").read_text(encoding="utf-8").startswith("El Salvador's leader")
    page = (out / "x.txt").read_text(encoding="utf-8")
    assert "Rubio" in page and "<p>" not in page


def test_background_syncs_change_no_byte(tree, config, tmp_path, monkeypatch):
    """Big outputs and audits go to disk as they are written (writers.SYNC_EVERY), not all
    in the fsync that publishes them; the files are the same either way."""
    src, out, _ = tree
    run([src], out, config)
    synced: list[int] = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (synced.append(fd), real(fd)))
    monkeypatch.setattr(writers, "SYNC_EVERY", 64)
    again = tmp_path / "again"
    run([src], again, config)
    assert synced  # outputs, parts and the audit all pass 64 bytes
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != "lock")
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file() and p.name != "lock")
    for rel in files:
        if rel.name == "summary.json":  # timings
            continue
        want = (out / rel).read_bytes().replace(str(out).encode(), str(again).encode())
        got = (again / rel).read_bytes()
        if rel.name == "audit.jsonl":  # after the header, which has the run's time
            want, got = want.split(b"\n", 1)[1], got.split(b"\n", 1)[1]
        assert got == want, rel
    assert not [p for p in again.rglob(".*tmp-*")]  # every temporary renamed into place


@pytest.mark.parametrize("name", ["s.jsonl.gz", "deep/er/t.jsonl.zst"])
def test_jsonl_output_keeps_fields_and_order(tree, config, name):
    src, out, records = tree
    run([src], out, config)
    got = read_jsonl(out / name)
    assert len(got) == len(records)
    for before, after in zip(records, got, strict=True):
        assert list(after)[: len(before)] == list(before)  # same keys, same order (lifted metadata may follow)
        assert {k: v for k, v in after.items() if k != "text"} == {k: v for k, v in before.items() if k != "text"}
    assert got[0]["text"] == "The council met on Monday.\n\nIt voted 7-2."
    assert got[1]["text"] == "Markets fell.\n\nStocks rose later."


def test_jsonl_big_integer_survives_a_run(tmp_path, config):
    src = tmp_path / "in"
    src.mkdir()
    (src / "big.jsonl").write_text('{"id": "x", "text": "Story.", "n": 123456789012345678901234567890}\n')
    run([src], tmp_path / "out", config)
    assert json.loads((tmp_path / "out" / "big.jsonl").read_text())["n"] == 123456789012345678901234567890


def test_failed_jsonl_lines_are_left_out_and_good_ones_kept(tmp_path, config):
    src = tmp_path / "in"
    src.mkdir()
    (src / "m.jsonl").write_text('{"id": "a", "text": "Alpha."}\n{oops\n{"id": "c", "text": "Gamma."}\n')
    result = run([src], tmp_path / "out", config, on_failure=lambda s, e: None)
    assert [s for s, _ in result.failures] == [f"{src / 'm.jsonl'}:2"]
    assert [r["id"] for r in read_jsonl(tmp_path / "out" / "m.jsonl")] == ["a", "c"]


def test_no_temp_files_left_after_run(tree, config):
    src, out, _ = tree
    run([src], out, config)
    dotted = sorted(p.relative_to(out).as_posix() for p in out.rglob(".*"))
    assert dotted == [".cleaner"]
    assert sorted(p.name for p in (out / ".cleaner").iterdir()) == ["audit.jsonl", "lock", "parts", "repeated.json"]
    assert not [p for p in (out / ".cleaner" / "parts").iterdir() if p.name.startswith(".")]


def test_workers_give_the_same_output(tree, config):
    src, out, _ = tree
    run([src], out, config)
    run([src], out.with_name("out2"), config, workers=2)
    for path in out.rglob("*"):
        if path.is_file() and ".cleaner" not in path.parts:
            twin = out.with_name("out2") / path.relative_to(out)
            if path.name.endswith(".zst"):
                assert read_jsonl(twin) == read_jsonl(path)
            else:  # .gz members are cut the same way for any worker count
                assert twin.read_bytes() == path.read_bytes()


def gzip_members(data: bytes) -> list[bytes]:
    """The decompressed members of a gzip file."""
    members = []
    while data:
        d = zlib.decompressobj(wbits=31)
        members.append(d.decompress(data))
        assert d.eof, "a member breaks off"
        data = d.unused_data
    return members


def test_gz_output_members_depend_only_on_their_input(tmp_path, config):
    """Workers gzip their batches' lines; the members are cut per input every run.BATCH
    records, so the bytes are the same with 1 or 2 workers and with or without other inputs."""
    records = [{"id": f"r{i}", "text": f"Story {i} of the day.\n\nADVERTISEMENT\n\nIt ended {i}."} for i in range(70)]
    both, alone = tmp_path / "both", tmp_path / "alone"
    (both / "a.jsonl.gz").parent.mkdir()
    (both / "a.jsonl.gz").write_bytes(gzip.compress(jsonl_bytes(records[:5])))
    (both / "s.jsonl.gz").write_bytes(gzip.compress(jsonl_bytes(records)))
    alone.mkdir()
    shutil.copy(both / "s.jsonl.gz", alone / "s.jsonl.gz")
    run([both], tmp_path / "o1", config)
    run([both], tmp_path / "o2", config, workers=2)
    run([alone], tmp_path / "o3", config, workers=2)
    made = (tmp_path / "o1" / "s.jsonl.gz").read_bytes()
    assert made == (tmp_path / "o2" / "s.jsonl.gz").read_bytes() == (tmp_path / "o3" / "s.jsonl.gz").read_bytes()
    members = gzip_members(made)
    assert [m.count(b"\n") for m in members] == [BATCH, BATCH, 70 - 2 * BATCH]
    got = [json.loads(x) for x in gzip.decompress(made).splitlines()]
    assert [r["id"] for r in got] == [r["id"] for r in records]
    assert got[69]["text"] == "Story 69 of the day.\n\nIt ended 69."


@pytest.mark.parametrize("workers", [1, 2])
def test_gz_output_without_records_is_still_gzip(tmp_path, config, workers):
    src = tmp_path / "in"
    src.mkdir()
    (src / "bad.jsonl.gz").write_bytes(gzip.compress(b"{oops\n"))
    result = run([src], tmp_path / "out", config, workers=workers, on_failure=lambda s, e: None)
    assert len(result.failures) == 1
    assert gzip.decompress((tmp_path / "out" / "bad.jsonl.gz").read_bytes()) == b""


# ---------------------------------------------------------------- plan / run refusals


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(seed_text(0), encoding="utf-8")
    return src


@pytest.mark.parametrize("out", ["in", "in/out", "in/sub/out"])
def test_out_equal_to_or_inside_input_folder_is_refused(tmp_path, folder, config, out):
    with pytest.raises(InputError, match="inside the input folder"):
        run([folder], tmp_path / out, config)
    assert not (folder / "out").exists()
    assert not (folder / ".cleaner").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]


def test_out_that_would_overwrite_an_input_file_is_refused(folder, config):
    with pytest.raises(InputError, match="overwrite"):
        run([folder / "a.txt"], folder, config)
    assert (folder / "a.txt").read_text(encoding="utf-8") == seed_text(0)
    assert not (folder / ".cleaner").exists()


def test_two_inputs_to_the_same_output_are_refused(tmp_path, folder):
    (folder / "a.html").write_text(html_page(seed_text(1)), encoding="utf-8")  # a.html -> a.txt too
    with pytest.raises(InputError, match="both be written"):
        plan([folder], tmp_path / "out")


def test_two_explicit_files_with_the_same_name_are_refused(tmp_path, folder):
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("Another story.", encoding="utf-8")
    with pytest.raises(InputError, match="both be written"):
        plan([folder / "a.txt", other / "a.txt"], tmp_path / "out")


def test_nonexistent_input_is_refused(tmp_path, config):
    with pytest.raises(InputError, match="no such file"):
        run([tmp_path / "missing"], tmp_path / "out", config)
    assert not (tmp_path / "out").exists()


def test_unsupported_explicit_file_is_refused(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match="unsupported"):
        plan([pdf], tmp_path / "out")


def test_hidden_and_unsupported_files_in_folders_are_skipped(tmp_path, folder):
    (folder / ".hidden.txt").write_text("secret", encoding="utf-8")
    (folder / ".git").mkdir()
    (folder / ".git" / "x.txt").write_text("git", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / ".cache").mkdir()
    (folder / "sub" / ".cache" / "y.jsonl").write_text("{}", encoding="utf-8")
    (folder / "sub" / "c.htm").write_text(html_page(seed_text(2)), encoding="utf-8")
    (folder / "notes.md").write_text("notes", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG")
    jobs = plan([folder], tmp_path / "out")
    assert [j.path.relative_to(folder).as_posix() for j in jobs] == ["a.txt", "sub/c.htm"]
    assert [j.out for j in jobs] == [tmp_path / "out" / "a.txt", tmp_path / "out" / "sub" / "c.txt"]
    assert [j.doc_id for j in jobs] == ["a", "sub/c"]


def test_explicit_file_maps_to_out_by_name(tmp_path, folder):
    shutil.copy(folder / "a.txt", folder / "b.txt")
    jobs = plan([folder / "b.txt"], tmp_path / "out")
    assert [(j.source, j.out) for j in jobs] == [(str(folder / "b.txt"), tmp_path / "out" / "b.txt")]
