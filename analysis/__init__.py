"""Text analysis, statistics and metrics for Groundswell (pure Python, no web framework)."""
