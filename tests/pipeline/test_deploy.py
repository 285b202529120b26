"""The scheduling files in deploy/ work as shipped: the systemd units verify (systemd-analyze where the machine
has it) and point at a real command line; the cron line publishes under cron's minimal environment, prints
nothing when all is well or another run holds the lock, and one line (which cron mails) when a run fails;
the logrotate config rotates the log the cron line writes."""

from __future__ import annotations

import configparser
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from synapscale.cli import build_parser
from tests.support.paths import FIXTURES, PROJECT_DIR
from tests.support.warehouse import query

DEPLOY = PROJECT_DIR / "deploy"
INSTALLED = "/srv/synapscale"
UNITS = ("synapscale.service", "synapscale.timer", "synapscale-failure@.service")
CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def render(text: str, root: Path) -> str:
    return text.replace(INSTALLED, str(root))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  (keys are case-sensitive)
    parser.read_string(path.read_text())
    return parser


def test_systemd_units_point_at_real_commands_and_verify(tmp_path: Path) -> None:
    service, timer, failure = (unit(DEPLOY / "systemd" / name) for name in UNITS)
    assert service["Unit"]["OnFailure"] == "synapscale-failure@%n.service"
    assert "75" in service["Service"]["SuccessExitStatus"].split()
    assert timer["Timer"]["Unit"] == "synapscale.service" and timer["Install"]["WantedBy"] == "timers.target"
    for parsed in (service, failure):
        executable, *arguments = parsed["Service"]["ExecStart"].split()
        assert executable == f"{INSTALLED}/.venv/bin/synapscale"
        build_parser().parse_args(arguments)  # a real command line (exits 2 on a wrong option)
        assert parsed["Service"]["WorkingDirectory"] == INSTALLED
    verify = shutil.which("systemd-analyze")
    if verify is None:
        return  # the checks above are all a machine without systemd can do
    rendered = tmp_path / "units"
    rendered.mkdir()
    for name in UNITS:
        (rendered / name).write_text(render((DEPLOY / "systemd" / name).read_text(), PROJECT_DIR))
    result = subprocess.run(
        [verify, "verify", "--man=no", *(str(rendered / name) for name in UNITS)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "not executable" not in result.stderr and "Unknown" not in result.stderr, result.stderr
    calendar = subprocess.run([verify, "calendar", timer["Timer"]["OnCalendar"]], capture_output=True, text=True)
    assert calendar.returncode == 0 and "*-*-* *:00/15:00" in calendar.stdout, calendar.stdout


def cron_job() -> tuple[dict[str, str], list[str], str]:
    """(environment lines, schedule fields, command) of deploy/cron/crontab."""
    env, jobs = {}, []
    for line in (DEPLOY / "cron" / "crontab").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, value = line.split("=", 1)
            env[name] = value
        else:
            jobs.append(line)
    assert len(jobs) == 1, jobs
    fields = jobs[0].split(None, 5)
    assert "%" not in fields[5], "cron turns an unescaped % into a newline"
    return env, fields[:5], fields[5]


def run_like_cron(command: str, env: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    """The command as cron runs it: /bin/sh -c, a minimal environment plus the crontab's variables."""
    minimal = {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "LOGNAME": "synapscale"}
    return subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in {**minimal, **env}.items()), "/bin/sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_cron_line_publishes_under_cron_and_mails_only_failures(tmp_path: Path) -> None:
    env, schedule, command = cron_job()
    assert schedule == ["*/15", "*", "*", "*", "*"] and all(CRON_FIELD.match(f) for f in schedule)
    root = tmp_path / "srv"
    root.mkdir()
    (root / ".venv").symlink_to(Path(sys.executable).parent.parent)  # the checkout's virtual environment
    shutil.copytree(FIXTURES / "landing", root / "landing")
    (root / "warehouse").mkdir()
    env = {name: render(value, root) for name, value in env.items()}
    command = render(command, root)
    log = root / "warehouse" / "run.log"

    ok = run_like_cron(command, env, root)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")  # nothing for cron to mail
    assert "published" in log.read_text()
    assert query(root / "warehouse" / "serve.duckdb", "select count(*) from core.usage_logs") == [(7,)]

    with open(root / "warehouse" / ".run.lock", "w") as held:  # a run in progress (this process, alive)
        held.write(json.dumps({"pid": os.getpid(), "command": "run"}))
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        busy = run_like_cron(command, env, root)
    assert (busy.returncode, busy.stdout) == (0, "")  # exit 75 is not a failure: no mail
    assert "another synapscale run is in progress" in log.read_text()

    (root / "landing" / "mystery.jsonl").write_text('{"foo": 1}\n')  # a file no adapter can read
    failed = run_like_cron(command, env, root)
    assert failed.stdout.strip().splitlines() == [
        f"synapscale run failed (exit 1): see {root}/warehouse/run.log; cd {root} && .venv/bin/synapscale status"
    ]
    assert "synapscale: ingest failed" in log.read_text()


def test_logrotate_rotates_the_cron_log(tmp_path: Path) -> None:
    config = (DEPLOY / "logrotate" / "synapscale").read_text()
    _, _, command = cron_job()
    logged = re.search(r">>\s*(\S+)", command)
    assert logged is not None
    assert f"{INSTALLED}/{logged.group(1)} {{" in config  # the file the cron line appends to
    logrotate = shutil.which("logrotate") or shutil.which("logrotate", path="/usr/sbin:/sbin")
    assert logrotate is not None, "logrotate is not installed: `make deps-deploy` installs Debian's package"
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "run.log").write_text("a run\n")
    user = "root" if os.geteuid() == 0 else os.environ.get("USER", "root")
    rendered = tmp_path / "synapscale.conf"
    rendered.write_text(render(config, tmp_path).replace("synapscale synapscale", f"{user} {user}"))
    rendered.chmod(0o644)
    result = subprocess.run(
        [logrotate, "--force", "--state", str(tmp_path / "state"), str(rendered)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "warehouse" / "run.log.1").read_text() == "a run\n"
    assert (tmp_path / "warehouse" / "run.log").read_text() == ""
