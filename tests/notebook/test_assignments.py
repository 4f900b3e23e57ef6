"""The "replaces `df`" line of an approval card: which existing variables code would change."""

from __future__ import annotations

from ml_intern_jupyter.notebook.assignments import affected_names, overwrite_warning


def test_assignments_imports_definitions_and_deletes_at_the_top_level() -> None:
    code = (
        "import numpy as np, os.path\n"
        "from sklearn import metrics as m\n"
        "a, (b, *c) = 1, (2, 3, 4)\n"
        "d += 1\n"
        "e: int = 5\n"
        "for f in range(3):\n    g = f\n"
        "with open('x') as h:\n    pass\n"
        "if (i := 3):\n    pass\n"
        "def fit(): local = 1\n"
        "class Model: attr = 2\n"
        "del tmp\n"
    )
    assigned, deleted = affected_names(code)
    assert assigned == {"np", "os", "m", "a", "b", "c", "d", "e", "f", "g", "h", "i", "fit", "Model"}
    assert deleted == {"tmp"}


def test_names_inside_functions_classes_and_comprehensions_stay_there() -> None:
    code = "def f():\n    df = 1\nclass K:\n    df = 2\nsquares = [df for df in range(3)]\ntotal = sum(x for x in [1])"
    assert affected_names(code) == ({"f", "K", "squares", "total"}, set())


def test_only_existing_user_variables_are_named() -> None:
    namespace = {"df": 1, "model": 2, "tmp": 3, "_private": 4, "In": [], "unrelated": 5}
    code = "df = df.dropna()\nmodel = fit(df)\ndel tmp\n_private = 0\nIn = None\nnew_var = 1"
    assert overwrite_warning(code, namespace, hidden={"In"}) == "replaces `df`, `model`; deletes `tmp`"


def test_code_that_does_not_parse_or_touches_nothing_gives_no_line() -> None:
    assert overwrite_warning("df = (", {"df": 1}) == ""
    assert overwrite_warning("print(df.head())", {"df": 1}) == ""
