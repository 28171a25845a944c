"""Content tools for staff and translators.

    python -m scripts.content validate [--language ti]    every check; exit 1 on a problem; status table
    python -m scripts.content status                       the translation-status table only
    python -m scripts.content pending [--language ti]      drafts awaiting a reviewer
    python -m scripts.content export --language ti [--out ti.csv]   a spreadsheet for a translator
    python -m scripts.content import ti.csv                write a filled-in spreadsheet back

The spreadsheet is CSV in UTF-8 with a byte-order mark, which Excel, LibreOffice and Google Sheets
open with the right script. One row per English record (per validity window): the translator fills
`text` and `button_titles`; a reviewer sets `status` to reviewed and fills `reviewer` and
`last_reviewed`. Rows whose text is unchanged are left alone; a changed text without a review
becomes draft again.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import yaml

from bot.content import Button, ContentError, ContentStore, Record, read_file
from bot.content_check import check, format_status, required_topics, status_table
from bot.language import FALLBACK_LANGUAGE, LANGUAGES
from bot.settings import ROOT

SPEC = ROOT.parent / "shared" / "spec" / "topics.yml"
SEEDS = ROOT.parent / "shared" / "seeds"
CONTENT = ROOT / "content"
COLUMNS = [
    "content_id", "flow", "valid_from", "valid_until", "english_text", "text",
    "english_button_titles", "button_titles", "button_payloads", "status", "reviewer", "last_reviewed", "note",
]  # fmt: skip
BUTTON_SEPARATOR = " | "


def domain_intents(domain_dir: Path = ROOT / "domain") -> list[str]:
    intents: list[str] = []
    for path in sorted(domain_dir.glob("*.yml")):
        intents += yaml.safe_load(path.read_text(encoding="utf-8")).get("intents") or []
    return intents


def load_spec(path: Path = SPEC) -> dict[str, object]:
    if not path.exists():
        raise SystemExit(f"error: the topic spec {path} is missing (it sits in shared/ beside the repository)")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(spec, dict)
    return spec


def validate(content_dir: Path, languages: list[str] | None) -> int:
    out = sys.stdout
    try:
        store = ContentStore.load(content_dir)
    except ContentError as error:
        print(f"error: {error}", file=out)
        return 1
    spec = load_spec()
    problems = check(store, required_topics(spec), domain_intents(), content_dir, SEEDS, languages=languages)
    for problem in problems:
        print(problem, file=out)
    print(format_status(status_table(store, required_topics(spec), content_dir)), file=out)
    if problems:
        print(f"\n{len(problems)} problem(s) in the content", file=out)
        return 1
    print(f"\ncontent is valid ({sum(1 for _ in store)} records)", file=out)
    return 0


def pending(store: ContentStore, languages: Iterable[str]) -> list[Record]:
    wanted = set(languages)
    return sorted(
        (r for r in store if r.status == "draft" and r.language in wanted),
        key=lambda r: (r.language, r.topic, r.valid_from or dt.date.min),
    )


# --- export / import --------------------------------------------------------------------------------


def export_rows(store: ContentStore, language: str) -> list[dict[str, str]]:
    rows = []
    for english in sorted(store, key=lambda r: (_flow(r), r.topic, r.valid_from or dt.date.min)):
        if english.language != FALLBACK_LANGUAGE:
            continue
        translated = _same_window(store.versions(english.topic, language), english)
        rows.append(
            {
                "content_id": f"{english.topic}.{language}",
                "flow": _flow(english),
                "valid_from": _date(english.valid_from),
                "valid_until": _date(english.valid_until),
                "english_text": english.text,
                "text": translated.text if translated else "",
                "english_button_titles": BUTTON_SEPARATOR.join(b.title for b in english.buttons),
                "button_titles": BUTTON_SEPARATOR.join(b.title for b in translated.buttons) if translated else "",
                "button_payloads": BUTTON_SEPARATOR.join(b.payload for b in english.buttons),
                "status": translated.status if translated else "missing",
                "reviewer": (translated.reviewer or "") if translated else "",
                "last_reviewed": _date(translated.last_reviewed) if translated else "",
                "note": english.note or "",
            }
        )
    return rows


def write_csv(rows: list[dict[str, str]], target: TextIO) -> None:
    writer = csv.DictWriter(target, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


def import_rows(rows: list[dict[str, str]], language: str, content_dir: Path, today: dt.date) -> list[str]:
    """Write the rows into content/<language>/<flow>.yml; returns what changed, one line each."""
    store = ContentStore.load(content_dir)
    by_flow: dict[str, list[Record]] = {}
    for path in sorted((content_dir / language).glob("*.yml")):
        if path.name != "language_names.yml":
            by_flow[path.stem] = read_file(path)
    changes = []
    changed_flows: set[str] = set()
    for number, row in enumerate(rows, 2):
        topic, _, row_language = row["content_id"].rpartition(".")
        if row_language != language:
            raise ContentError(f"row {number}: {row['content_id']} is not a {language} record")
        text = row["text"].replace("\r\n", "\n").strip()
        if not text:
            continue
        valid_from, valid_until = _parse_date(row["valid_from"]), _parse_date(row["valid_until"])
        window = (valid_from, valid_until)
        versions = store.versions(topic, FALLBACK_LANGUAGE)
        english = next((r for r in versions if (r.valid_from, r.valid_until) == window), None)
        if english is None:
            raise ContentError(f"row {number}: {topic} has no English record for that validity window")
        titles = [t.strip() for t in row["button_titles"].split(BUTTON_SEPARATOR.strip())]
        titles = [] if titles == [""] else titles
        if len(titles) != len(english.buttons):
            raise ContentError(
                f"row {number}: {len(titles)} button title(s) for {len(english.buttons)} button(s); "
                f"separate them with '{BUTTON_SEPARATOR.strip()}'"
            )
        records = by_flow.setdefault(row["flow"], [])
        old = _same_window(records, english)
        buttons = tuple(Button(title, b.payload) for title, b in zip(titles, english.buttons, strict=True))
        reviewed = row["status"] == "reviewed" and row["reviewer"].strip() and row["last_reviewed"].strip()
        if old is not None and old.text == text and old.buttons == buttons and not reviewed:
            continue
        new = Record(
            topic=topic,
            language=language,
            text=text,
            buttons=buttons,
            status="reviewed" if reviewed else "draft",
            source=english.source,
            reviewer=row["reviewer"].strip() or None if reviewed else None,
            last_reviewed=_parse_date(row["last_reviewed"]) if reviewed else None,
            updated=today if old is None or old.text != text or old.buttons != buttons else old.updated,
            valid_from=valid_from,
            valid_until=valid_until,
            translated_from=FALLBACK_LANGUAGE,
        )
        if new == old:
            continue
        if old is None:
            records.append(new)
        else:
            records[records.index(old)] = new
        changed_flows.add(row["flow"])
        changes.append(f"{new.content_id}: {'added' if old is None else 'updated'} ({new.status})")
    for flow in sorted(changed_flows):
        records = by_flow[flow]
        path = content_dir / language / f"{flow}.yml"
        header = f"{LANGUAGES[language].english} answers ({flow}). Written by `python -m scripts.content import`."
        path.write_text(dump_records(language, records, _header(path) or header), encoding="utf-8")
    return changes


def dump_records(language: str, records: list[Record], header: str) -> str:
    """A content file in the same layout people write by hand."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"language: {language}", "records:"]
    for record in records:
        lines.append(f"  - topic: {record.topic}")
        lines.append("    text: |-")
        lines += [f"      {line}".rstrip() for line in record.text.splitlines()]
        if record.buttons:
            lines.append("    buttons:")
            lines += [f"      - {{title: {_quoted(b.title)}, payload: {_payload(b.payload)}}}" for b in record.buttons]
        for key in ("source", "status", "reviewer", "last_reviewed", "updated", "valid_from", "valid_until"):
            value = getattr(record, key)
            if value is not None:
                lines.append(f"    {key}: {_date(value) if isinstance(value, dt.date) else _scalar(str(value))}")
        if record.translated_from:
            lines.append(f"    translated_from: {record.translated_from}")
        if record.note:
            lines.append(f"    note: {_quoted(record.note)}")
    return "\n".join(lines) + "\n"


def _header(path: Path) -> str:
    if not path.exists():
        return ""
    comments = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.removeprefix("#").removeprefix(" "))
    return "\n".join(comments)


def _flow(record: Record) -> str:
    return record.path.stem if record.path else "answers"


def _same_window(records: Iterable[Record], english: Record) -> Record | None:
    return next(
        (
            r
            for r in records
            if r.topic == english.topic and (r.valid_from, r.valid_until) == (english.valid_from, english.valid_until)
        ),
        None,
    )


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    return dt.date.fromisoformat(value) if value else None


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _payload(value: str) -> str:
    # Plain when it is just an intent; single-quoted when it carries JSON, as people write it by hand.
    return value if re.fullmatch(r"/[a-z_]+", value) else "'" + value.replace("'", "''") + "'"


def _scalar(value: str) -> str:
    # Plain YAML where it reads back the same; quoted otherwise (": ", "#", leading symbols, …).
    if re.fullmatch(r"[\w][\w .;,()'/-]*", value) and yaml.safe_load(value) == value:
        return value
    return _quoted(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.content", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("validate", "pending"):
        sub = commands.add_parser(name)
        sub.add_argument("--language", choices=list(LANGUAGES), action="append")
    commands.add_parser("status")
    export = commands.add_parser("export")
    export.add_argument("--language", choices=[c for c in LANGUAGES if c != FALLBACK_LANGUAGE], required=True)
    export.add_argument("--out", type=Path, help="default: content-<language>.csv")
    imp = commands.add_parser("import")
    imp.add_argument("file", type=Path)
    imp.add_argument("--language", choices=list(LANGUAGES), help="default: from the file's content ids")
    args = parser.parse_args(argv)

    if args.command == "validate":
        return validate(CONTENT, args.language)
    store = ContentStore.load(CONTENT)
    if args.command == "status":
        print(format_status(status_table(store, required_topics(load_spec()), CONTENT)))
    elif args.command == "pending":
        records = pending(store, args.language or LANGUAGES)
        for record in records:
            window = f"{_date(record.valid_from)}..{_date(record.valid_until)}"
            window = f" [{window}]" if window != ".." else ""
            print(f"{record.content_id}{window}  updated {_date(record.updated) or '?'}  {record.path}")
        print(f"{len(records)} draft record(s) await review")
    elif args.command == "export":
        out = args.out or Path(f"content-{args.language}.csv")
        rows = export_rows(store, args.language)
        with out.open("w", encoding="utf-8-sig", newline="") as target:
            write_csv(rows, target)
        print(f"wrote {len(rows)} rows to {out}; fill 'text' and 'button_titles', then:")
        print(f"    python -m scripts.content import {out}")
    elif args.command == "import":
        with args.file.open(encoding="utf-8-sig", newline="") as source:
            rows = list(csv.DictReader(source))
        missing = set(COLUMNS) - set(rows[0] if rows else COLUMNS)
        if missing:
            print(f"error: {args.file} lacks the column(s) {sorted(missing)}", file=sys.stderr)
            return 1
        language = args.language or (rows[0]["content_id"].rpartition(".")[2] if rows else "")
        if language not in LANGUAGES:
            print(f"error: cannot tell the language of {args.file}; pass --language", file=sys.stderr)
            return 1
        try:
            changes = import_rows(rows, language, CONTENT, dt.date.today())
        except ContentError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print("\n".join(changes) or "nothing changed")
        return validate(CONTENT, [language])
    return 0


if __name__ == "__main__":
    sys.exit(main())
