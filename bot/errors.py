"""Typed errors that the app's single error handler turns into a friendly message."""

from __future__ import annotations


class ConductError(Exception):
    """An expected failure with a message fit to show the person who caused it."""

    user_message = "Something went wrong on our side. Please try again in a minute."

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail or self.__class__.__name__)
        if user_message is not None:
            self.user_message = user_message


class NotAModerator(ConductError):
    user_message = "Only moderators can do that."
