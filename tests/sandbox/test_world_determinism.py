"""The same seed and size give byte-identical worlds; another seed gives another world."""

from __future__ import annotations

from pathlib import Path

from sandbox.generate import WorldManifest, generate_world


def _files(world: Path) -> dict[str, bytes]:
    return {
        path.relative_to(world).as_posix(): path.read_bytes()
        for path in sorted(world.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    generate_world(tmp_path / "a", 1500, seed=3)
    generate_world(tmp_path / "b", 1500, seed=3)
    generate_world(tmp_path / "c", 1500, seed=4)
    first, second, other = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert first == second
    assert first.keys() == other.keys()
    assert first["truth/persons.csv"] != other["truth/persons.csv"]


def test_manifest_reads_back_what_generate_returned(world: Path) -> None:
    manifest = WorldManifest.read(world)
    assert manifest.seed == 7
    assert 2990 <= manifest.people <= 3000
    assert manifest.regions >= 1
    assert manifest.districts >= 2
    assert manifest.mahallas >= 20
    assert set(manifest.files) == {
        "registry", "survey", "tax", "employment", "land", "bank", "appeals",
    }  # fmt: skip
    for source, files in manifest.files.items():
        assert files, source
        assert all((world / name).is_file() for name in files)
