"""Conventions every model follows, checked on the metadata (no database needed),
so a model added later cannot quietly break them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Enum, ForeignKeyConstraint
from sqlalchemy.orm import configure_mappers

from models import Base, UTCDateTime

PG_MAX_IDENTIFIER = 63
TABLES = list(Base.metadata.sorted_tables)
COLUMNS = [(f"{t.name}.{c.name}", c.type) for t in TABLES for c in t.columns]


def test_every_timestamp_is_a_utc_datetime() -> None:
    offenders = [
        name
        for name, type_ in COLUMNS
        if isinstance(type_, DateTime) and not isinstance(type_, UTCDateTime)
    ]
    assert offenders == []
    assert any(isinstance(type_, UTCDateTime) for _, type_ in COLUMNS)


def test_bare_datetime_annotation_maps_to_utc_datetime() -> None:
    assert Base.registry.type_annotation_map[dt.datetime] is UTCDateTime


def test_every_enum_is_a_varchar_guarded_by_a_check() -> None:
    enums = [(name, type_) for name, type_ in COLUMNS if isinstance(type_, Enum)]
    assert len(enums) >= 10
    offenders = [
        name
        for name, type_ in enums
        if type_.native_enum or not type_.create_constraint or not type_.validate_strings
    ]
    assert offenders == []


def test_every_foreign_key_says_what_happens_on_delete() -> None:
    offenders = [
        constraint.name
        for table in TABLES
        for constraint in table.constraints
        if isinstance(constraint, ForeignKeyConstraint) and not constraint.ondelete
    ]
    assert offenders == []


def test_every_constraint_and_index_is_named_within_postgresql_limits() -> None:
    names = [c.name for t in TABLES for c in t.constraints] + [
        i.name for t in TABLES for i in t.indexes
    ]
    offenders = [n for n in names if not n or len(n) > PG_MAX_IDENTIFIER]
    assert offenders == []


def test_every_relationship_refuses_lazy_loading() -> None:
    configure_mappers()
    offenders = [
        f"{mapper.class_.__name__}.{rel.key}"
        for mapper in Base.registry.mappers
        for rel in mapper.relationships
        if rel.lazy != "raise"
    ]
    assert offenders == []
