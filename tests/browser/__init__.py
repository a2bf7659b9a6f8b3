"""Browser flows driven by Playwright against a served app."""
