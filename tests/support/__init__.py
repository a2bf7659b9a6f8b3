"""Test support shared by the test folders: web helpers (`web`) and the app fixtures (`web_fixtures`).

Test modules import helpers by name from here (``from tests.support.web import login``);
conftest files import the fixtures. Nothing here is collected as a test.
"""
