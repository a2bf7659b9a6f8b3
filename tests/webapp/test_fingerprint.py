"""The code fingerprint in stored results' inputs digests changes with the code and only with it."""

import sys

from webapp.infra.fingerprint import source_fingerprint


def test_the_fingerprint_follows_the_source_of_the_named_modules(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "gs_fp_a.py").write_text("K = 5\n")
    (tmp_path / "gs_fp_b.py").write_text("K = 5\n")
    (tmp_path / "gs_fp_c.py").write_text("K = 3  # a fixed rule\n")
    try:
        a, b, c = (source_fingerprint(f"gs_fp_{x}") for x in "abc")
        assert len(a) == 64 and a == source_fingerprint("gs_fp_a")
        assert a != c  # other source
        assert a != b  # same source, another module: the name counts too
        assert source_fingerprint("gs_fp_a", "gs_fp_c") != source_fingerprint("gs_fp_c", "gs_fp_a")
    finally:
        for x in "abc":
            sys.modules.pop(f"gs_fp_{x}", None)
