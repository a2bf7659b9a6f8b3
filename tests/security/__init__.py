"""The security and reliability checklist (SECURITY.md), one promise per test."""
