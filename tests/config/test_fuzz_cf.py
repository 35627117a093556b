"""Property tests: random bytes and mutations of the HOWTO files never crash the reader."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hbtui.commands.check import check_config
from hbtui.config.authkeys import parse_authkeys
from hbtui.config.ha_cf import parse_ha_cf
from hbtui.config.haresources import parse_haresources
from hbtui.config.lines import ConfigFile
from hbtui.config.loader import load_config, read_config
from hbtui.config.problems import ConfigError
from hbtui.config.validate import check_media, check_nodes, check_resources, check_timers

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
FILES = ("ha.cf", "haresources", "authkeys")
VALID = {name: (HOWTO / name).read_bytes() for name in FILES}
# tokens worth swapping in: directive names, values and separators the readers care about
TOKENS = [
    b"node", b"ucast", b"udpport", b"keepalive", b"deadtime", b"warntime", b"initdead", b"crm",
    b"auto_failback", b"bcast", b"mcast", b"auth", b"sha1", b"md5", b"crc", b"IPaddr::", b"::",
    b"\\", b"#", b"0", b"15", b"16", b"-1", b"1.5", b"250ms", b"9us", b"on", b"legacy",
    b"server1", b"SERVER2", b"10.0.0.300/33", b"\x00", b"\xff\xfe", b"\r\n", b"\t", b" ", b"\n",
]  # fmt: skip
FAST = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The original file after a few byte flips, line deletions/duplications and token swaps."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "delete", "duplicate", "swap", "insert"]))
        lines = bytes(data).split(b"\n")
        if kind == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= draw(st.integers(1, 255))
        elif kind in ("delete", "duplicate"):
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "delete":
                del lines[i]
            else:
                lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
        elif kind == "swap":
            words = bytes(data).split(b" ")
            i = draw(st.integers(0, len(words) - 1))
            words[i] = draw(st.sampled_from(TOKENS))
            data = bytearray(b" ".join(words))
        else:
            i = draw(st.integers(0, len(data)))
            data[i:i] = draw(st.sampled_from(TOKENS))
    return bytes(data)


def any_file(name: str) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), mutated(VALID[name]))


def source(name: str, data: bytes, mode: int = 0o600) -> ConfigFile:
    return ConfigFile(Path("/fuzz") / name, data.decode("utf-8", "surrogateescape"), mode)


@FAST
@given(any_file("ha.cf"), st.text(max_size=20))
def test_ha_cf_reader_never_crashes(data: bytes, node: str) -> None:
    ha_cf, problems = parse_ha_cf(source("ha.cf", data))
    problems += check_timers(ha_cf) + check_nodes(ha_cf, node)
    problems += check_media(ha_cf, local_host=True)
    for problem in problems:
        str(problem).encode("utf-8", "surrogateescape")


@FAST
@given(any_file("haresources"), any_file("ha.cf"))
def test_haresources_reader_never_crashes(data: bytes, ha_cf_data: bytes) -> None:
    ha_cf, _ = parse_ha_cf(source("ha.cf", ha_cf_data))
    res, problems = parse_haresources(source("haresources", data), HOWTO)
    problems += check_resources(res, ha_cf, HOWTO, local_host=True)
    for problem in problems:
        str(problem).encode("utf-8", "surrogateescape")


@FAST
@given(any_file("authkeys"), st.integers(0, 0o7777))
def test_authkeys_reader_never_crashes(data: bytes, mode: int) -> None:
    keys, problems = parse_authkeys(source("authkeys", data, mode))
    assert keys is not None or problems
    if keys is not None:
        assert keys.active in keys.keys


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config_dir = tmp_path_factory.mktemp("fuzz") / "ha.d"
    shutil.copytree(HOWTO, config_dir)
    return config_dir


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(FILES), st.data())
def test_whole_directory_never_raises_anything_but_config_error(
    fuzz_dir: Path, name: str, data: st.DataObject
) -> None:
    for other in FILES:
        (fuzz_dir / other).write_bytes(VALID[other])
    (fuzz_dir / "authkeys").chmod(0o600)
    (fuzz_dir / name).write_bytes(data.draw(any_file(name)))
    config, problems = load_config(fuzz_dir, "server1")
    assert (config is None) == any(p.severity.value == "error" for p in problems)
    try:
        read_config(fuzz_dir, "server1")
    except ConfigError as exc:
        assert exc.problems
    for as_json in (False, True):
        out = io.StringIO()
        status = check_config(fuzz_dir, "server1", as_json=as_json, out=out)
        assert status in (0, 1)
        text = out.getvalue()
        text.encode("utf-8")  # printable on a strict UTF-8 terminal
        if as_json:
            assert json.loads(text)["ok"] is (status == 0)
