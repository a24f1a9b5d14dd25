"""The one SHACL report type, the same whichever engine produced it.

A report is data: the CLI renders it as a table, the REST API returns its JSON, and updates
refuse a change when it holds a Violation. Rendering lives with the faces, so this module
knows nothing of terminals.
"""

from __future__ import annotations

from typing import Literal as TypingLiteral

from pydantic import BaseModel, ConfigDict

from valuechain_kg.namespaces import curie

__all__ = ["Severity", "ValidationReport", "ValidationResult"]

Severity = TypingLiteral["Violation", "Warning", "Info"]
_SEVERITY_RANK: dict[str, int] = {"Violation": 0, "Warning": 1, "Info": 2}


class ValidationResult(BaseModel):
    """One thing a shape found wrong, with the CSV row it came from when known."""

    model_config = ConfigDict(frozen=True)

    focus_node: str
    path: str | None
    value: str | None
    message: str
    severity: Severity
    shape: str | None
    source_file: str | None = None
    source_line: int | None = None

    @property
    def where(self) -> str:
        """The CSV file and line when known, else the focus node (shortened to a CURIE)."""
        if self.source_file is not None:
            if self.source_line is not None:
                return f"{self.source_file}:{self.source_line}"
            return self.source_file
        return curie(self.focus_node)

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """The order every engine reports in: severity, focus node, path, message, value."""
        return (
            _SEVERITY_RANK[self.severity],
            self.focus_node,
            self.path or "",
            self.message,
            self.value or "",
        )


class ValidationReport(BaseModel):
    """The verdict of a SHACL run: it conforms when there is no Violation (Warnings allowed)."""

    model_config = ConfigDict(frozen=True)

    conforms: bool
    results: list[ValidationResult]

    @classmethod
    def of(cls, results: list[ValidationResult]) -> ValidationReport:
        """The report on some results, ordered, conforming when none is a Violation.

        >>> ValidationReport.of([]).summary()
        'The data conforms: 0 violations, 0 warnings.'
        """
        ordered = sorted(results, key=ValidationResult.sort_key)
        return cls(conforms=not any(r.severity == "Violation" for r in ordered), results=ordered)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def summary(self) -> str:
        """One line: the verdict and how many violations and warnings were found."""
        verdict = "conforms" if self.conforms else "does not conform"
        v, w = len(self.violations), len(self.warnings)
        return (
            f"The data {verdict}: {v} violation{'s' if v != 1 else ''}, "
            f"{w} warning{'s' if w != 1 else ''}."
        )

    def to_json(self) -> dict[str, object]:
        """The report as a JSON-ready document (the same for the CLI and the REST API)."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [r.model_dump() for r in self.results],
        }
