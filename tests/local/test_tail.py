"""LineTail: only appended bytes are read, partial lines wait, rewrites restart, bounds hold."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lazytinker.local.tail import LineTail


class Recorder:
    """A sink that keeps what it was fed and counts restarts."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.restarts = 0

    def restart(self) -> None:
        self.lines.clear()
        self.restarts += 1

    def feed(self, lines: list[bytes]) -> None:
        self.lines.extend(lines)


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as out:
        out.write(data)


def test_an_appended_line_shows_up_and_only_the_new_bytes_are_read(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 0}\n{"step": 1}\n')
    tail, sink = LineTail(str(path)), Recorder()
    assert tail.read(sink).changed
    assert sink.lines == [b'{"step": 0}', b'{"step": 1}']
    before = tail.bytes_read
    assert before == path.stat().st_size

    added = b'{"step": 2, "loss": 0.5}\n'
    append(path, added)
    result = tail.read(sink)

    assert result.changed
    assert result.caught_up
    assert sink.lines[-1] == b'{"step": 2, "loss": 0.5}'
    assert tail.bytes_read - before == len(added)
    assert sink.restarts == 0


def test_an_unchanged_file_is_not_opened_again(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 0}\n')
    tail, sink = LineTail(str(path)), Recorder()
    tail.read(sink)
    read = tail.bytes_read
    assert not tail.read(sink).changed
    assert tail.bytes_read == read


def test_a_partial_last_line_waits_for_its_end(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 0}\n{"step": 1, "lo')
    tail, sink = LineTail(str(path)), Recorder()
    tail.read(sink)
    assert sink.lines == [b'{"step": 0}']
    append(path, b'ss": 2.5}\n')
    tail.read(sink)
    assert sink.lines == [b'{"step": 0}', b'{"step": 1, "loss": 2.5}']


def test_a_file_rewritten_in_place_from_a_resume_step_is_read_again(tmp_path: Path) -> None:
    # The resumed run keeps rows before the resume step and appends new ones past the old end:
    # same inode, a larger size, the same first line; only the bytes where we stopped differ.
    path = tmp_path / "metrics.jsonl"
    old = [f'{{"step": {step}, "loss": {1.0 / (step + 1):.6f}}}\n' for step in range(8)]
    path.write_text("".join(old))
    tail, sink = LineTail(str(path)), Recorder()
    tail.read(sink)
    inode = path.stat().st_ino

    new = [
        f'{{"step": {step}, "loss": {0.5 / (step + 1):.6f}, "run": 2}}\n' for step in range(5, 12)
    ]
    with path.open("r+") as out:
        out.truncate(0)
        out.write("".join(old[:5] + new))
    assert path.stat().st_ino == inode
    assert path.stat().st_size > tail.offset

    tail.read(sink)
    assert sink.restarts == 1
    assert [line.decode() + "\n" for line in sink.lines] == old[:5] + new


def test_a_file_replaced_by_rename_is_read_again(tmp_path: Path) -> None:
    # The cookbook's truncate_metrics writes a sibling file and renames it over metrics.jsonl.
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 0}\n{"step": 1}\n{"step": 2}\n')
    tail, sink = LineTail(str(path)), Recorder()
    tail.read(sink)
    fresh = tmp_path / "metrics.jsonl.tmp"
    fresh.write_bytes(b'{"step": 0}\n{"step": 1}\n')
    os.replace(fresh, path)
    tail.read(sink)
    assert sink.restarts == 1
    assert sink.lines == [b'{"step": 0}', b'{"step": 1}']


def test_a_shrunk_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 0}\n{"step": 1}\n')
    tail, sink = LineTail(str(path)), Recorder()
    tail.read(sink)
    with path.open("r+b") as out:
        out.truncate(12)
    tail.read(sink)
    assert sink.restarts == 1
    assert sink.lines == [b'{"step": 0}']


def test_a_removed_file_restarts_the_sink(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 0}\n')
    tail, sink = LineTail(str(path)), Recorder()
    tail.read(sink)
    path.unlink()
    assert tail.read(sink).changed
    assert sink.restarts == 1
    assert sink.lines == []
    assert tail.stamp is None


def test_an_over_long_line_is_skipped_and_memory_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 0}\n' + b"x" * 5000)
    tail, sink = LineTail(str(path), max_line=1000), Recorder()
    tail.read(sink)
    assert tail.skipped_lines == 1
    assert len(tail._pending) == 0  # the rest of the long line is not kept
    append(path, b"y" * 5000 + b'\n{"step": 1}\n')
    tail.read(sink)
    assert sink.lines == [b'{"step": 0}', b'{"step": 1}']
    assert tail.skipped_lines == 1


def test_a_long_line_inside_one_chunk_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 0}\n' + b"z" * 2000 + b'\n{"step": 1}\n')
    tail, sink = LineTail(str(path), max_line=1000), Recorder()
    tail.read(sink)
    assert sink.lines == [b'{"step": 0}', b'{"step": 1}']
    assert tail.skipped_lines == 1


def test_a_budget_reads_a_backlog_over_several_calls(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    lines = [f'{{"step": {step}}}'.encode() for step in range(1000)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    tail, sink = LineTail(str(path)), Recorder()
    calls = 0
    while True:
        calls += 1
        if tail.read(sink, max_bytes=1000).caught_up:
            break
    assert calls > 5
    assert sink.lines == lines


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_not_read_and_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    os.mkfifo(path)
    tail, sink = LineTail(str(path)), Recorder()
    result = tail.read(sink)
    assert not result.changed
    assert sink.lines == []


def test_a_symlink_to_a_device_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.symlink_to("/dev/zero")
    tail, sink = LineTail(str(path)), Recorder()
    assert not tail.read(sink).changed
    assert tail.bytes_read == 0
