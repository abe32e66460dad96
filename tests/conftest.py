"""Test-wide setup: pytest imports tests by path (importlib mode) with the project root on
sys.path (see `[tool.pytest.ini_options]`), so `bot`, `scripts` and `scoring` are the packages,
never the test folders of the same names."""
