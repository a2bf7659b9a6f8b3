"""Persistence: the only package that touches the database session and owns commit boundaries.

Split by domain; callers use `store.people`, `store.plans`, `store.campaigns`, `store.rollup`.
"""

from webapp.store import campaigns, people, plans, rollup  # noqa: F401
from webapp.store.errors import StoreError  # noqa: F401
