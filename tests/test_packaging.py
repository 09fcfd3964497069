"""The wheel ships the labeling config and schema and installs no stray top-level modules."""

import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True,
    )
    return next(out.glob("annotate-*.whl"))


def test_wheel_has_only_the_annotate_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.startswith("annotate-")}
    assert top == {"annotate"}
    assert "annotate/labeling_config/quote_attribution.xml" in names
    assert "annotate/labeling_config/gold.schema.json" in names
    assert "annotate/labeling_config/spancat.cfg" in names
    # the converter's word lists and the polarity weights are data files read at run time
    src = ROOT / "src"
    data_files = [p for p in (src / "annotate").rglob("*") if p.suffix in {".txt", ".tsv"}]
    assert data_files
    for path in data_files:
        assert path.relative_to(src).as_posix() in names


def test_config_loads_from_installed_wheel(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)], check=True)
    code = (
        "import annotate, annotate.labeling as l; "
        f"assert annotate.__file__.startswith({str(target)!r}), annotate.__file__; "
        "assert '<Labels name=\"label\"' in l.labeling_config(); "
        "assert l.gold_schema()['$id']; print('ok')"
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"
