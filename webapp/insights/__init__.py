"""The leader report: themes beside the numbers (read model, views, tables, CSV and offline report)."""
