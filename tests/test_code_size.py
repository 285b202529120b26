"""The size rules for Python (issue 8): no file over 400 lines, and no function over 60 lines, counted from its
`def` line to its last line, without the reason written beside it (a comment on the `def` line or the line
above it)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import PROJECT_DIR

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
ROOTS = ("synapscale", "ingest", "app", "tests", "benchmarks")


def _files(roots: tuple[str, ...]) -> list[Path]:
    return sorted(path for root in roots for path in (PROJECT_DIR / root).rglob("*.py") if "fixtures" not in path.parts)


def _has_reason(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    above = lines[first - 2].strip() if first >= 2 else ""
    return "#" in lines[node.lineno - 1] or above.startswith("#")


def long_functions(path: Path) -> list[str]:
    """`path:line name (N lines)` for each function over MAX_FUNCTION_LINES without a reason beside it."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES and not _has_reason(lines, node):
                found.append(f"{path}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_python_file_is_over_400_lines() -> None:
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in _files(ROOTS)}
    assert len(sizes) > 200  # the walk found the tree
    too_long = [f"{path.relative_to(PROJECT_DIR)} ({n} lines)" for path, n in sizes.items() if n > MAX_FILE_LINES]
    assert not too_long, f"split these files (the rule is {MAX_FILE_LINES} lines): {too_long}"


def test_no_function_is_over_60_lines_without_a_reason() -> None:
    found = [entry for path in _files(ROOTS) for entry in long_functions(path)]
    assert not found, f"split these functions, or write why each is long beside its def: {found}"


def test_the_scan_counts_from_def_to_last_line(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(59))
    short = f"def short():\n{body}"  # 60 lines: allowed
    long = f"def long():\n{body}    return 1\n"  # 61 lines
    explained = f"def explained():  # one table of cases, clearer whole\n{body}    return 1\n"
    path = tmp_path / "probe.py"
    path.write_text(short + "\n\n" + long + "\n\n" + explained)
    assert [entry.split()[1] for entry in long_functions(path)] == ["long"]
