"""Declarative table schemas: one place that says what every column means, in Chinese and English.

The generator writes `datasets/datapackage.json` (Frictionless Data Package) from these
declarations, so the schema that `shequlab data validate` checks is the one the data was made by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Field:
    """One column: its name, Table Schema type, bilingual title and constraints."""

    name: str
    type: str  # string | integer | number | boolean | date | datetime
    zh: str
    en: str
    unit: str | None = None
    enum: tuple[Any, ...] | None = None
    required: bool = True
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    note: str | None = None  # extra explanation, bilingual

    def descriptor(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "type": self.type, "title": self.zh}
        d["title_en"] = self.en
        if self.type == "datetime":
            d["format"] = DATETIME_FORMAT
        if self.unit:
            d["unit"] = self.unit
        if self.note:
            d["description"] = self.note
        c: dict[str, Any] = {}
        if self.required:
            c["required"] = True
        if self.unique:
            c["unique"] = True
        if self.enum is not None:
            c["enum"] = list(self.enum)
        if self.minimum is not None:
            c["minimum"] = self.minimum
        if self.maximum is not None:
            c["maximum"] = self.maximum
        if self.pattern:
            c["pattern"] = self.pattern
        if c:
            d["constraints"] = c
        return d


@dataclass(frozen=True)
class ForeignKey:
    """Column(s) of this table that must match the key of another table."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One CSV table of the sample data, with the meaning of a row in both languages."""

    name: str
    zh: str
    en: str
    row_zh: str
    row_en: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no column {name!r}")

    def descriptor(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [f.descriptor() for f in self.fields],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {
                    "fields": list(fk.fields),
                    "reference": {"resource": fk.resource, "fields": list(fk.reference)},
                }
                for fk in self.foreign_keys
            ]
        return {
            "name": self.name,
            "path": f"{self.name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": self.zh,
            "title_en": self.en,
            "description": f"{self.row_zh} / {self.row_en}",
            "schema": schema,
        }


def fk(column: str, resource: str, ref: str | None = None) -> ForeignKey:
    """Shorthand for a single-column foreign key."""
    return ForeignKey((column,), resource, (ref or column,))


def coded(name: str, zh: str, en: str, labels: dict[str, str], **kw: Any) -> tuple[Field, Field]:
    """A Chinese display column plus its stable English code column (category, category_code)."""
    return (
        Field(name, "string", zh, en, enum=tuple(labels.values()), **kw),
        Field(f"{name}_code", "string", f"{zh}代码", f"{en} (code)", enum=tuple(labels), **kw),
    )


PACKAGE_META: dict[str, Any] = {
    "name": "xinhua-road-sample",
    "title": "新华路街道社区治理样例数据（虚构）",
    "title_en": "Xinhua Road Subdistrict community-governance sample data (synthetic)",
    "description": (
        "全部为合成数据：没有任何真实个人。规模与比例依据公开资料（见 datasets/README.md）。"
        " / Entirely synthetic: no real person appears. Scale and proportions follow public "
        "figures (see datasets/README.md)."
    ),
    "version": "1.0.0",
    "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
    "temporal": {"start": "2016-01-01", "end": "2017-12-31"},
}


def package_descriptor(tables: list[Table]) -> dict[str, Any]:
    """The whole Data Package descriptor, resources in generation order."""
    return {**PACKAGE_META, "resources": [t.descriptor() for t in tables]}
