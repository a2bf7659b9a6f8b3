"""GROUNDSWELL_EMBEDDER: read when the app is created, refused in one line when wrong."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from webapp.cli import cli
from webapp.config import ConfigError, embedder_from


ITEMS = ["printers", "laptops", "routers", "scanners", "headsets"]
DELIVERY = ["the delivery of {} arrived two weeks late", "shipping delays held up our {} order",
            "the {} shipment still has not arrived"]
PRICE = ["the competitor sells {} far cheaper", "customers say our {} are too expensive",
         "they want a bigger discount on {}"]


@pytest.mark.parametrize("value, expected", [(None, "auto"), ("", "auto"), ("auto", "auto"),
                                             ("wordllama", "wordllama"), ("transformer", "transformer")])
def test_valid_values(value, expected):
    assert embedder_from(value) == expected


def test_a_bad_value_is_refused_in_one_line_before_the_database_is_touched(tmp_path):
    env = {"GROUNDSWELL_EMBEDDER": "bert", "GROUNDSWELL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "GROUNDSWELL_SECRET_KEY": "cli-test"}
    result = CliRunner().invoke(cli, ["db", "current"], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: GROUNDSWELL_EMBEDDER must be one of auto, wordllama, transformer, "
                                     "got 'bert'")
    assert not (tmp_path / "x.db").exists()
    with pytest.raises(ConfigError):
        embedder_from("Transformer")


def test_the_themes_command_follows_the_setting(tmp_path):
    """`groundswell themes` (no database) reads the same setting; a bad one is a one-line error."""
    src = tmp_path / "in.csv"
    with src.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text"])
        for i in range(30):
            item = ITEMS[i // 2 % len(ITEMS)]
            writer.writerow([DELIVERY[i // 2 % len(DELIVERY)].format(item) if i % 2
                             else PRICE[i // 2 % len(PRICE)].format(item)])
    out = tmp_path / "out.csv"
    bad = CliRunner().invoke(cli, ["themes", str(src), "--text-column", "text", "--out", str(out)],
                             env={"GROUNDSWELL_EMBEDDER": "bert"})
    assert bad.exit_code != 0 and "GROUNDSWELL_EMBEDDER must be one of" in bad.output
    assert not out.exists()
    for value in ("wordllama", "transformer"):
        ok = CliRunner().invoke(cli, ["themes", str(src), "--text-column", "text", "--out", str(out),
                                      "--themes", "2"], env={"GROUNDSWELL_EMBEDDER": value})
        assert ok.exit_code == 0, ok.output
        assert f"(text representation: {'wordllama' if value == 'wordllama' else 'transformer:'}" in ok.output
        with out.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 30
        by_kind = {(int(r["id"]) - 1) % 2: set() for r in rows}
        for r in rows:
            by_kind[(int(r["id"]) - 1) % 2].add(r["theme_id"])
        assert all(len(ids) == 1 for ids in by_kind.values()) and by_kind[0] != by_kind[1], value
