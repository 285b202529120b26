"""Where the project, the tests and their fixtures are."""

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = TESTS_DIR.parent
FIXTURES = TESTS_DIR / "fixtures"
