"""Groundswell's tests: a package, so every test module, conftest and helper has a unique dotted name."""
