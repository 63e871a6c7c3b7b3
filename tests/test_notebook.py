"""The story notebook runs end to end (nbclient), so its code never goes stale."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "pakistan_2000mw.ipynb"


def test_story_notebook_executes_without_error(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    # The risk table was rendered.
    assert any("P(NPV < 0)" in str(o.get("data", {})) for c in nb.cells for o in c.get("outputs", []))
