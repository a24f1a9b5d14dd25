"""The demo-data benchmark runs, so its figures in bench/RESULTS.md can be re-measured."""

from __future__ import annotations

import re

import pytest

from bench import demo


def test_demo_benchmark_reports_both_questions(capsys: pytest.CaptureFixture[str]) -> None:
    demo.main(repeat=1)
    printed = capsys.readouterr().out
    assert "projection warm-up" in printed
    assert "linked_actors: p50" in printed and "leverage: p50" in printed
    assert re.search(r"over \d+ questions \(\d+ impacts x 1\)", printed)
