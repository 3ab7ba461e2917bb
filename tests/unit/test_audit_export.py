"""Reading a Slack export one day file at a time. The exports are copies of the sample in
../shared/datasets/slack-export-sample (hfaran/slack-export-viewer's test archive: the
channels.json, users.json and `<channel>/<YYYY-MM-DD>.json` shapes of slack-notes §16), with
files added or broken by each test."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from bot.audit.export import DayMessages, ExportError, SkippedFile, SlackExport

SAMPLE = Path(__file__).resolve().parents[3] / "shared/datasets/slack-export-sample/testarchive"
needs_sample = pytest.mark.skipif(not SAMPLE.is_dir(), reason="no export sample in ../shared")


def copy_sample(tmp_path: Path) -> Path:
    root = tmp_path / "export"
    shutil.copytree(SAMPLE, root)
    return root


def zip_folder(folder: Path) -> Path:
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder).as_posix())
    return archive


def read_all(export: SlackExport) -> tuple[int, list[SkippedFile]]:
    files, skipped = export.day_files()
    messages = 0
    for day_file in files:
        day = export.read_day(day_file)
        if isinstance(day, DayMessages):
            messages += len(day.messages)
        else:
            skipped.append(day)
    return messages, skipped


@needs_sample
@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_sample_export_reads_every_day_file_of_both_channels(tmp_path: Path, packed: bool) -> None:
    root = copy_sample(tmp_path)
    with SlackExport(zip_folder(root) if packed else root) as export:
        files, missing = export.day_files()
        assert {f.conversation.name for f in files} == {"enrique", "traveling-sailor"}
        assert len(files) == 17 and missing == []
        assert read_all(export) == (158, [])
        assert len(list(export.users())) == 4


@needs_sample
@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_malformed_and_missing_day_files_are_skipped_and_reported(
    tmp_path: Path, packed: bool
) -> None:
    root = copy_sample(tmp_path)
    (root / "enrique" / "2016-01-15.json").write_text('[{"type": "message", "text": "cut')
    (root / "enrique" / "2016-01-16.json").write_text('{"not": "a list"}')
    channels = json.loads((root / "channels.json").read_text())
    channels.append({"id": "C0GONE", "name": "gone", "members": []})
    (root / "channels.json").write_text(json.dumps(channels))
    with SlackExport(zip_folder(root) if packed else root) as export:
        messages, skipped = read_all(export)
    problems = {s.path: s.problem for s in skipped}
    assert problems["gone/"] == "listed in the export but has no folder"
    assert problems["enrique/2016-01-15.json"].startswith("not valid JSON")
    assert problems["enrique/2016-01-16.json"] == "not a JSON array of messages"
    assert len(skipped) == 3
    assert 0 < messages < 158


@needs_sample
def test_day_files_outside_the_dates_or_channels_asked_for_are_not_listed(
    tmp_path: Path,
) -> None:
    with SlackExport(copy_sample(tmp_path)) as export:
        files, _ = export.day_files(
            since=date(2016, 3, 1), until=date(2016, 3, 27), channels={"traveling-sailor"}
        )
    assert [f.path for f in files] == [
        "traveling-sailor/2016-03-25.json",
        "traveling-sailor/2016-03-26.json",
    ]


def test_private_channels_and_dms_are_read_with_dm_folders_named_by_id(tmp_path: Path) -> None:
    root = tmp_path / "export"
    for folder in ("general", "secret", "D0DM1"):
        (root / folder).mkdir(parents=True)
        (root / folder / "2026-01-02.json").write_text(
            '[{"type": "message", "user": "U1", "text": "hi", "ts": "1.0"}]'
        )
    (root / "channels.json").write_text('[{"id": "C1", "name": "general"}]')
    (root / "groups.json").write_text('[{"id": "G1", "name": "secret"}]')
    (root / "dms.json").write_text('[{"id": "D0DM1", "members": ["U1", "U2"]}]')
    with SlackExport(root) as export:
        files, _ = export.day_files()
    scopes = {f.conversation.folder: (f.conversation.id, f.conversation.name) for f in files}
    assert scopes == {
        "general": ("C1", "general"),
        "secret": ("G1", "secret"),
        "D0DM1": ("D0DM1", ""),
    }


def test_a_path_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.zip").write_bytes(b"not a zip")
    with pytest.raises(ExportError, match="not a zip"):
        SlackExport(tmp_path / "notes.zip")
    with pytest.raises(ExportError, match=r"channels\.json"):
        SlackExport(tmp_path)
