from pathlib import Path

from scripts.train import INPUTS, fingerprint


def make_project(root: Path) -> None:
    for name in INPUTS:
        path = root / name
        if path.suffix:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(name)
        else:
            path.mkdir(parents=True, exist_ok=True)
            (path / "a.yml").write_text("x")


def test_fingerprint_changes_with_training_data_only(tmp_path: Path):
    make_project(tmp_path)
    before = fingerprint(tmp_path)
    (tmp_path / "README.md").write_text("docs do not retrain")
    (tmp_path / "data" / "__pycache__").mkdir()
    (tmp_path / "data" / "__pycache__" / "x.pyc").write_text("bytecode")
    assert fingerprint(tmp_path) == before
    (tmp_path / "data" / "a.yml").write_text("new example")
    assert fingerprint(tmp_path) != before
