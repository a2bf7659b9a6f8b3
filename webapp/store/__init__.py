"""Persistence: the only package that touches the database session and owns commit boundaries.

Split by domain; callers use `store.people`, `store.plans`, `store.campaigns`, `store.rollup`,
`store.analysis` (analysis results), `store.insights` (what the leader report reads).
"""

from webapp.store import analysis, campaigns, insights, people, plans, rollup  # noqa: F401
from webapp.store.errors import StoreError  # noqa: F401
