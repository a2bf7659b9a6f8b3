"""The HR dashboard: suppressed engagement results of campaigns (read model, views, tables, CSV)."""
