"""The hostile-file classes through `quota import places|targets`: exit 1, the message on stderr, nothing saved."""

from __future__ import annotations

import pytest

from quota_app.settings import Settings

from .cases import CASES, IDS
from .hostile import SMALL_SETTINGS, bomb


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's test settings with small import limits (the hostile files stay small)."""
    return settings.model_copy(update=SMALL_SETTINGS)


@pytest.fixture
def quota(app, reference):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["import", *args])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli_refuses_every_hostile_file(case, quota, counts, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / case.filename
    path.write_bytes(case.build())
    before = counts()
    result = quota("places", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    if case.file_message is not None:
        assert result.stderr == f"Fejl: {case.file_message}\n"
    else:
        for line, text in case.rows.items():
            assert f"række {line}: " in result.stderr and text in result.stderr
        assert result.stderr.endswith("intet er gemt.\n")
    assert counts() == before


def test_cli_refuses_an_oversized_file_by_its_size(quota, counts, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.truncate(10 * 1024 * 1024)  # sparse: checked by its size, never read
    before = counts()
    result = quota("places", str(path))
    assert (result.exit_code, result.stderr) == (
        1,
        "Fejl: Filen fylder 10 MB; højst 256 KB kan indlæses. Del den i flere filer.\n",
    )
    assert counts() == before


def test_targets_import_refuses_a_bomb_and_a_broken_row(quota, session, tmp_path):  # type: ignore[no-untyped-def]
    from sqlmodel import func, select

    from quota_app.models import Target

    before = session.exec(select(func.count()).select_from(Target)).one()
    path = tmp_path / "targets.xlsx"
    path.write_bytes(bomb("shared", 8 * 1024 * 1024))
    result = quota("targets", str(path))
    assert result.exit_code == 1 and "zip-bombe" in result.stderr
    path = tmp_path / "targets.csv"
    path.write_text(
        "year;department;type;value\n2025;SOF;internship;3\n2025;BUF;internship\n", encoding="utf-8"
    )
    result = quota("targets", str(path))
    assert result.exit_code == 1
    assert "række 3: Rækken har 3 celler, men overskriften har 4." in result.stderr
    assert session.exec(select(func.count()).select_from(Target)).one() == before


@pytest.mark.parametrize(
    "header",
    ["year;department;type;value;value", "year;department;type;value;colour"],
    ids=["twice", "unknown"],
)
def test_targets_import_refuses_a_doubled_or_unknown_column(quota, tmp_path, header):  # type: ignore[no-untyped-def]
    path = tmp_path / "targets.csv"
    path.write_text(f"{header}\n2025;SOF;internship;3;4\n", encoding="utf-8")
    result = quota("targets", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Fejl: Overskriften har kolonner, der står der to gange eller er ukendte:"
    )
