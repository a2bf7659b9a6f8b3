"""Tests for `groundswell themes` as a standalone click command (no app, no database)."""

import csv
import json
import random
import socket

import pytest
from click.testing import CliRunner

from webapp.cli.themes import NO_TEXT_LABEL, themes_command

TEMPLATES = {
    "delivery": ["the {x} delivery arrived late again", "shipping delays on the {x} order", "our {x} shipment has not arrived"],
    "price": ["the competitor cut the price of {x}", "customers say the {x} price is too expensive", "a rival offers a cheaper {x}"],
    "support": ["support never answers calls about the {x}", "the helpdesk ticket for the {x} is still open", "support is slow with {x} problems"],
}
ITEMS = ["printer", "laptop", "scanner", "router", "server", "headset"]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any attempt to open a network connection."""

    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def write_csv(path, rows, header=("ref", "note", "other")):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def texts_csv(tmp_path):
    rng = random.Random(0)
    rows = [(f"r{i}", rng.choice(TEMPLATES[key]).format(x=rng.choice(ITEMS)), "x")
            for i, key in enumerate(k for k in TEMPLATES for _ in range(15))]
    rows.insert(5, ("empty-one", "   ", "x"))
    return write_csv(tmp_path / "in.csv", rows)


def run(*args):
    return CliRunner().invoke(themes_command, [str(a) for a in args])


def test_writes_one_row_per_input_row_in_order(texts_csv, tmp_path):
    out, summary = tmp_path / "out.csv", tmp_path / "s.json"
    result = run(texts_csv, "--text-column", "note", "--id-column", "ref", "--themes", "3", "--out", out, "--summary", summary)
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(texts_csv, newline="", encoding="utf-8") as fh:
        ids = [r["ref"] for r in csv.DictReader(fh)]
    assert list(rows[0]) == ["id", "theme_id", "theme_label"]
    assert [r["id"] for r in rows] == ids
    empty = next(r for r in rows if r["id"] == "empty-one")
    assert (empty["theme_id"], empty["theme_label"]) == ("-1", NO_TEXT_LABEL)
    themes = json.loads(summary.read_text(encoding="utf-8"))
    assert len(themes) == 3
    assert set(themes[0]) == {"theme_id", "label", "terms", "size", "examples"}
    assert sum(t["size"] for t in themes) == len(rows) - 1
    labels = {t["theme_id"]: t["label"] for t in themes}
    assert all(labels[int(r["theme_id"])] == r["theme_label"] for r in rows if r["theme_id"] != "-1")


def test_row_numbers_are_ids_without_id_column_and_auto_is_default(texts_csv, tmp_path):
    out = tmp_path / "out.csv"
    result = run(texts_csv, "--text-column", "note", "--out", out)
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [str(i) for i in range(1, 47)]


def test_missing_column_is_named_with_available_ones(texts_csv, tmp_path):
    result = run(texts_csv, "--text-column", "body", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0
    assert "'body'" in result.output and "'ref', 'note', 'other'" in result.output
    assert "Traceback" not in result.output


def test_missing_id_column_is_an_error(texts_csv, tmp_path):
    result = run(texts_csv, "--text-column", "note", "--id-column", "nope", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0
    assert "'nope'" in result.output


def test_empty_file_is_an_error(tmp_path):
    (tmp_path / "e.csv").write_text("")
    result = run(tmp_path / "e.csv", "--text-column", "note", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0
    assert "is empty" in result.output


def test_header_without_rows_is_an_error(tmp_path):
    (tmp_path / "h.csv").write_text("ref,note\n")
    result = run(tmp_path / "h.csv", "--text-column", "note", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0
    assert "no data rows" in result.output


def test_non_utf8_file_is_an_error_with_line(tmp_path):
    (tmp_path / "l1.csv").write_bytes("ref,note\n1,ok\n2,caf\xe9 cr\xe8me\n".encode("latin-1"))
    result = run(tmp_path / "l1.csv", "--text-column", "note", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0
    assert "not UTF-8" in result.output and "line 3" in result.output


def test_missing_path_is_an_error(tmp_path):
    result = run(tmp_path / "nope.csv", "--text-column", "note", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0
    assert "cannot read" in result.output and "no such file" in result.output


def test_directory_path_is_an_error(tmp_path):
    result = run(tmp_path, "--text-column", "note", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0
    assert "directory" in result.output


@pytest.mark.parametrize("value", ["0", "-2", "lots", "3.5"])
def test_bad_themes_value_is_a_usage_error(texts_csv, tmp_path, value):
    result = run(texts_csv, "--text-column", "note", "--themes", value, "--out", tmp_path / "o.csv")
    assert result.exit_code == 2
    assert "--themes" in result.output


def test_too_few_texts_is_a_clear_error(tmp_path):
    src = write_csv(tmp_path / "few.csv", [("1", "late delivery", "x"), ("2", "", "x")])
    result = run(src, "--text-column", "note", "--out", tmp_path / "o.csv")
    assert result.exit_code == 1
    assert "too few texts to find themes" in result.output


def test_unwritable_output_is_an_error(texts_csv, tmp_path):
    result = run(texts_csv, "--text-column", "note", "--themes", "3", "--out", tmp_path / "missing-dir" / "o.csv")
    assert result.exit_code == 1
    assert "cannot write" in result.output


def test_many_texts_are_themed_by_the_contextual_model_on_a_sample_and_mapped_vectors_for_the_rest(
        texts_csv, tmp_path, monkeypatch):
    """Above the contextual model's limit, `auto` no longer falls back to static vectors: the texts a
    fit clusters are embedded by it, the others mapped into its space; every row still gets its theme."""
    import analysis.embedding as embedding

    monkeypatch.delenv("GROUNDSWELL_EMBEDDER", raising=False)
    monkeypatch.setattr(embedding, "AUTO_TRANSFORMER_MAX_TEXTS", 10)
    fitted = []
    original = embedding.MappedTransformerEmbedder.fit
    monkeypatch.setattr(embedding.MappedTransformerEmbedder, "fit",
                        lambda self, texts, y=None: fitted.append(len(texts)) or original(self, texts, y))
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(themes_command, [str(texts_csv), "--text-column", "note", "--id-column",
                                                "ref", "--themes", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "text representation: transformer:all-MiniLM-L6-v2+mapped wordllama" in result.stderr
    assert fitted  # the mapped embedder did the work
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 46 and sum(r["theme_id"] != "-1" for r in rows) == 45
