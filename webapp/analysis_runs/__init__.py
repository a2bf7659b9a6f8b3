"""The analysis use case (themes over observations, then engagement comments), called by the CLI and by jobs.

Plain functions: they take a progress callback and a note callback instead of printing, and raise
`AnalysisUnavailable` with a message fit to show a user. `groundswell analyze` (webapp.cli.analyze)
and the background job (webapp.infra.jobs) both call `run_analysis`. Re-theming history
(`retheme`: prepare, show the diff, apply as a new version) and people's corrections
(`corrections`: rename, merge, move) are their own modules; `history` holds the rule for "closed".
"""

from webapp.analysis_runs.service import (AnalysisOutcome, AnalysisUnavailable, MAX_THEMES, RANDOM_STATE,
                                          run_analysis)

__all__ = ["AnalysisOutcome", "AnalysisUnavailable", "MAX_THEMES", "RANDOM_STATE", "run_analysis"]
