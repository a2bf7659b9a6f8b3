"""Tests of survey definitions, their loader and the form builder."""
