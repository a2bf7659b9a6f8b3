"""surveys/ keeps to its side of the package boundaries in ARCHITECTURE.md."""

import json
import subprocess
import sys

FORBIDDEN = ("flask", "flask_wtf", "sqlalchemy", "analysis", "webapp")


def loaded_top_level_modules(*modules):
    code = (
        "import json, sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


def test_surveys_imports_no_app_or_analysis_code():
    loaded = loaded_top_level_modules("surveys.model", "surveys.loader", "surveys.forms")
    assert not loaded & set(FORBIDDEN)


def test_only_forms_needs_wtforms():
    loaded = loaded_top_level_modules(
        "surveys", "surveys.kinds", "surveys.model", "surveys.loader", "surveys.answers"
    )
    assert "wtforms" not in loaded
