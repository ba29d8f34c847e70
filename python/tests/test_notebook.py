"""The example notebook runs from top to bottom and answers the question."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "district_policy.ipynb"


def test_notebook_executes_and_answers() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outputs = "".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )
    assert "The hub adds" in outputs
    assert "One more volunteer hour is worth most in" in outputs
    assert "A 30% drop in volunteer capacity costs" in outputs
    assert "would cost" in outputs and "other providers absorb" in outputs
    assert "One more organization like" in outputs and "more units;" in outputs
