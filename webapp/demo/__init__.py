"""The demo organisation: a reproducible generator and the phrase data of its texts."""
