import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest

from bot.content import ContentStore, read_file
from scripts.content import dump_records, export_rows, import_rows, write_csv

RECORD_FILES = [
    p for p in sorted(Path("content").glob("*/*.yml")) if p.name not in ("language_names.yml", "emergency_words.yml")
]


@pytest.mark.parametrize("path", RECORD_FILES, ids=str)
def test_the_writer_reads_back_every_shipped_file_unchanged(path: Path, tmp_path: Path):
    records = read_file(path)
    copy = tmp_path / path.parent.name / path.name
    copy.parent.mkdir()
    copy.write_text(dump_records(path.parent.name, records, "header"), encoding="utf-8")
    assert read_file(copy) == records


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree("content", target)
    return target


def spreadsheet(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Through CSV and back, as a translator's spreadsheet program would."""
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


def test_export_has_one_row_per_english_record_with_the_translation_beside_it(content: Path):
    store = ContentStore.load(content)
    rows = export_rows(store, "ti")
    assert len(rows) == sum(1 for r in store if r.language == "en")
    greet = next(r for r in rows if r["content_id"] == "greet.ti")
    assert greet["text"] == store.get("greet", "ti").text
    assert greet["english_text"] == store.get("greet", "en").text


def test_an_edited_row_comes_back_as_draft_and_a_reviewed_row_as_reviewed(content: Path):
    rows = spreadsheet(export_rows(ContentStore.load(content), "ti"))
    thanks = next(r for r in rows if r["content_id"] == "thanks.ti")
    thanks["text"] = "ጽቡቕ! ካልእ ሕቶ ኣለኩም ድዩ?"
    goodbye = next(r for r in rows if r["content_id"] == "goodbye.ti")
    goodbye.update(status="reviewed", reviewer="Selam T.", last_reviewed="2026-12-07")
    changes = import_rows(rows, "ti", content, dt.date(2026, 12, 7))
    assert sorted(changes) == ["goodbye.ti: updated (reviewed)", "thanks.ti: updated (draft)"]
    store = ContentStore.load(content)
    assert store.get("thanks", "ti").text == "ጽቡቕ! ካልእ ሕቶ ኣለኩም ድዩ?"
    assert store.get("thanks", "ti").updated == dt.date(2026, 12, 7)
    assert store.get("goodbye", "ti").status == "reviewed"
    assert store.get("goodbye", "ti").reviewer == "Selam T."


def test_an_unchanged_spreadsheet_changes_nothing(content: Path):
    before = {p: p.read_bytes() for p in (content / "ar").glob("*.yml")}
    rows = spreadsheet(export_rows(ContentStore.load(content), "ar"))
    assert import_rows(rows, "ar", content, dt.date(2026, 12, 7)) == []
    assert {p: p.read_bytes() for p in (content / "ar").glob("*.yml")} == before
    assert ContentStore.load(content).get("greet", "ar") == ContentStore.load(Path("content")).get("greet", "ar")
