"""Reading a standard Slack export, the .zip or the unpacked folder, one day file at a time.

Layout (shared/slack-notes.md §16): `channels.json` (public channels), optional `groups.json`
(private), `dms.json`, `mpims.json`, `users.json`, and one folder per conversation holding
`YYYY-MM-DD.json` files, each a JSON array of message objects shaped like
conversations.history. Public and private channel folders are named by channel name, DM
folders by conversation id.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")
#: metadata files that list conversations, and whether their folders are named by id
CONVERSATION_LISTS = (
    ("channels.json", False),
    ("groups.json", False),
    ("mpims.json", False),
    ("dms.json", True),
)


class ExportError(Exception):
    """The path is not a Slack export we can read (no such file, not a zip, no channels)."""


@dataclass(frozen=True)
class Conversation:
    id: str
    name: str
    """The channel name the engine scopes policies by; empty for DMs and group DMs."""
    folder: str


@dataclass(frozen=True)
class DayFile:
    conversation: Conversation
    day: date
    path: str


@dataclass(frozen=True)
class DayMessages:
    day_file: DayFile
    messages: list[dict[str, Any]]


@dataclass(frozen=True)
class SkippedFile:
    path: str
    problem: str


class SlackExport:
    """An export on disk. Nothing is read until asked; day files are read one at a time."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise ExportError(f"{path}: no such file or folder")
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._root = ""
        if path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile as exc:
                raise ExportError(f"{path}: not a zip file ({exc})") from exc
            self._root = _zip_root(self._zip)
        elif not (path / "channels.json").is_file():
            raise ExportError(f"{path}: no channels.json here; is this a Slack export?")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> SlackExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ raw access

    def _exists(self, name: str) -> bool:
        if self._zip is not None:
            try:
                self._zip.getinfo(self._root + name)
            except KeyError:
                return False
            return True
        return (self.path / name).is_file()

    def _read(self, name: str) -> bytes:
        if self._zip is not None:
            try:
                with self._zip.open(self._root + name) as member:
                    return member.read()
            except KeyError:
                raise FileNotFoundError(name) from None
        return (self.path / name).read_bytes()

    def _folder_files(self) -> dict[str, list[str]]:
        """Day file names per folder, from the zip's directory or the folder listing."""
        found: dict[str, list[str]] = {}
        if self._zip is not None:
            for name in self._zip.namelist():
                parts = PurePosixPath(name[len(self._root) :]).parts
                if len(parts) == 2 and DAY_FILE.match(parts[1]):
                    found.setdefault(parts[0], []).append(parts[1])
        else:
            for folder in self.path.iterdir():
                if folder.is_dir():
                    days = [f.name for f in folder.iterdir() if DAY_FILE.match(f.name)]
                    if days:
                        found[folder.name] = days
        return found

    def _load_list(self, name: str) -> list[Any]:
        try:
            data = json.loads(self._read(name))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ExportError(f"{name} is not valid JSON ({exc})") from exc
        if not isinstance(data, list):
            raise ExportError(f"{name} must hold a JSON array")
        return data

    # ------------------------------------------------------------------ what is in it

    def conversations(self) -> list[Conversation]:
        """Every conversation listed in the metadata files, plus any folder they do not list
        (audited under its folder name)."""
        if not self._exists("channels.json"):
            raise ExportError(f"{self.path}: no channels.json; is this a Slack export?")
        listed: dict[str, Conversation] = {}
        for filename, by_id in CONVERSATION_LISTS:
            if not self._exists(filename):
                continue
            for item in self._load_list(filename):
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    continue
                name = str(item.get("name") or "")
                folder = item["id"] if by_id or not name else name
                scope = "" if filename in ("dms.json", "mpims.json") else name
                listed[folder] = Conversation(id=item["id"], name=scope, folder=folder)
        return list(listed.values())

    def day_files(
        self, since: date | None = None, until: date | None = None, channels: set[str] | None = None
    ) -> tuple[list[DayFile], list[SkippedFile]]:
        """Day files in [since, until), oldest first per conversation, and the listed
        conversations whose folder is missing (nothing to read: reported, counted)."""
        folders = self._folder_files()
        listed = {c.folder: c for c in self.conversations()}
        for folder in folders:
            listed.setdefault(folder, Conversation(id=folder, name=folder, folder=folder))
        files: list[DayFile] = []
        missing: list[SkippedFile] = []
        for folder, conversation in sorted(listed.items()):
            if (
                channels is not None
                and conversation.name not in channels
                and folder not in channels
            ):
                continue
            if folder not in folders:
                missing.append(SkippedFile(f"{folder}/", "listed in the export but has no folder"))
                continue
            for name in sorted(folders[folder]):
                day = date.fromisoformat(name[:-5])
                if (since and day < since) or (until and day >= until):
                    continue
                files.append(DayFile(conversation, day, f"{folder}/{name}"))
        return files, missing

    def read_day(self, day_file: DayFile) -> DayMessages | SkippedFile:
        """One day's messages; a file that cannot be read or parsed is returned as skipped."""
        try:
            data = json.loads(self._read(day_file.path))
        except FileNotFoundError:
            return SkippedFile(day_file.path, "missing")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return SkippedFile(day_file.path, f"not valid JSON ({exc})")
        except (OSError, zipfile.BadZipFile) as exc:
            return SkippedFile(day_file.path, f"unreadable ({exc})")
        if not isinstance(data, list):
            return SkippedFile(day_file.path, "not a JSON array of messages")
        return DayMessages(day_file, [m for m in data if isinstance(m, dict)])

    def users(self) -> Iterator[dict[str, Any]]:
        """users.json (org_users.json in Enterprise org exports); one file, read whole."""
        for name in ("users.json", "org_users.json"):
            if self._exists(name):
                for item in self._load_list(name):
                    if isinstance(item, dict):
                        yield item
                return


def _zip_root(archive: zipfile.ZipFile) -> str:
    """Exports are zipped flat, but a re-zipped folder has one top folder: find channels.json."""
    for name in archive.namelist():
        path = PurePosixPath(name)
        if path.name == "channels.json" and len(path.parts) <= 2:
            return "" if len(path.parts) == 1 else path.parts[0] + "/"
    raise ExportError(f"{archive.filename}: no channels.json in the zip; is this a Slack export?")
