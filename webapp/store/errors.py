"""Errors raised by the store, each carrying a message fit to show a user."""


class StoreError(Exception):
    """Base class: the operation was refused and nothing was written."""


class NotFound(StoreError):
    pass


class NotAllowed(StoreError):
    pass


class StaleDecision(StoreError):
    """Someone else changed the plan after the page was loaded."""


class AlreadyAnswered(StoreError):
    """The confidential section of this campaign was already answered by this person."""


class Locked(StoreError):
    """The plan can no longer be edited (decided, or the campaign closed)."""


class InvalidInput(StoreError):
    pass
