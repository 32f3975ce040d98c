"""How mypy is set up stays as docs/quality.md §4 says: the modules of the "Services run without Flask"
contract are checked strictly, and in quota_app, reports and scheduler there are fewer than 30
`# type: ignore` comments, each naming its error code and saying why after it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("quota_app", "reports", "scheduler")
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")
EXPLAINED = re.compile(r"\[[a-z-]+(, *[a-z-]+)*\] +# *\S")  # [code]  # reason


def ignores() -> Iterator[tuple[str, str]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if match := IGNORE.search(line):
                    yield f"{path.relative_to(ROOT)}:{number}", match["rest"]


def test_fewer_than_thirty_ignores() -> None:
    assert len(list(ignores())) < 30


def test_each_ignore_names_its_error_code_and_a_reason() -> None:
    assert [where for where, rest in ignores() if not EXPLAINED.match(rest)] == []


def test_an_ignore_without_a_reason_is_found() -> None:
    assert not EXPLAINED.match("[attr-defined]")
    assert not EXPLAINED.match("")
    assert EXPLAINED.match("[attr-defined]  # not in the stubs")


def test_the_services_of_the_import_contract_are_checked_strictly() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (services,) = (
        contract["source_modules"]
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["name"] == "Services run without Flask"
    )
    strict = next(
        override["module"]
        for override in config["tool"]["mypy"]["overrides"]
        if override.get("disallow_any_generics")
    )
    counting = ("quota_app.reconcile.", "quota_app.forecast.")
    assert [m for m in services if m not in strict and not m.startswith(counting)] == []
    assert {"quota_app.reconcile.*", "quota_app.forecast.*"} <= set(strict)
