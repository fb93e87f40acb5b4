"""Feedback preprocessor that keeps hidden tests hidden: no source, no traceback quoting them."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests


class HideHiddenTests(ClearHiddenTests):
    """Remove hidden-test regions from grade cells and shorten their errors to one line.

    nbgrader 0.9.6 renders feedback from the autograded notebook, where the hidden tests are back
    in place; a failing hidden assert's traceback would also quote its source. The trainee keeps
    the error name and the (bilingual) assertion message, which is what the author wrote for them.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, cell_index: int):
        had_hidden = self.begin_test_delimeter in cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had_hidden and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
        return cell, resources
