"""Actions a leader or HR commits to on a theme or a driver: create, follow, change status."""
