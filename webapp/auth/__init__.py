"""Signing in: login, logout, sessions, and the pages for personal API tokens."""
