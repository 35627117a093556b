"""``uuidfrom nodename`` (issue 16): the uuid the daemon derives from the node name."""

from __future__ import annotations

from pathlib import Path

from hbtui.adapters.state import UUID_FILE, load_node_state
from hbtui.adapters.uuidname import glibc_rand, name_hash, uuid_from_name


def test_glibc_rand_after_srand() -> None:
    # printed by a C program on glibc 2.36: srand(seed), then rand() five times
    assert glibc_rand(0, 3) == glibc_rand(1, 3) == [1804289383, 846930886, 1681692777]
    assert glibc_rand(12345, 5) == [383100999, 858300821, 357768173, 455528251, 133005921]
    # a seed above 2**31 goes through glibc's signed 32-bit word
    assert glibc_rand(4000000000, 5) == [1111130805, 1380198982, 1306113867, 1557021840, 1956528986]
    assert glibc_rand(4294967295, 2) == [254925627, 1205188300]


def test_the_name_hash_is_31_times_plus_each_signed_byte() -> None:
    assert name_hash("a") == 97
    assert name_hash("ab") == 97 * 31 + 98
    assert name_hash("server1") == 1984149838
    assert name_hash("\xe9") == 0xFFFFFFE9  # C's char is signed
    assert name_hash("") == 0


def test_uuid_from_name_is_the_daemons() -> None:
    # recorded (tests/wire/vectors/compressed-zlib-repnodes-server2.txt): the real daemon's
    # srcuuid as server2 and the destuuid it learned for server1, both under uuidfrom nodename
    assert uuid_from_name("server2").hex() == "af339f173eebd79a058100882d12eda8"
    assert uuid_from_name("server1").hex() == "e087c440d88db91717a658e694789cf7"


def test_a_node_state_under_uuidfrom_nodename_leaves_hb_uuid_alone(tmp_path: Path) -> None:
    state = load_node_state(tmp_path, lambda: 1_795_555_130.0, "server1")
    assert state.node_uuid == uuid_from_name("server1") and not state.uuid_created
    assert not (tmp_path / UUID_FILE).exists()
    (tmp_path / UUID_FILE).write_bytes(bytes(16))
    assert load_node_state(tmp_path, lambda: 1_795_555_131.0, "server1").node_uuid != bytes(16)
