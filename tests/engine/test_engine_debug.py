"""ha.cf ``debug N`` (issue 15): which debug lines the engine writes at which level, as the
daemon's ANYDEBUG (1), DEBUGDETAILS (2) and DEBUGPKT (4) lines."""

from __future__ import annotations

import dataclasses

from hbtui.engine import hblog
from hbtui.engine.actions import LogLevel, WriteLog
from tests.engine.enginesim import Cluster, Member


def cluster(debug: int) -> Cluster:
    c = Cluster()
    mem = c["server1"]
    mem.config = dataclasses.replace(
        mem.config, ha_cf=dataclasses.replace(mem.config.ha_cf, debug=debug)
    )
    return c


def texts(mem: Member) -> list[str]:
    return [text for _, _, text in mem.logs]


def joined(debug: int) -> Member:
    c = cluster(debug)
    c.start("server1")
    c.start("server2")
    c.run_for(3000)
    return c["server1"]


def test_the_level_filter() -> None:
    line = hblog.debug("x", hblog.DEBUGPKT)
    assert [hblog.wanted(line, level) for level in (0, 3, 4, 5)] == [False, False, True, True]
    assert hblog.wanted(WriteLog(LogLevel.INFO, "always"), 0)
    assert hblog.wanted(WriteLog(LogLevel.DEBUG, "debug now set to 0"), 0)  # level 0 lines
    assert hblog.retransmitting(7) == WriteLog(LogLevel.INFO, "Retransmitting pkt 7", debug=1)


def test_debug_0_writes_no_debug_line() -> None:
    mem = joined(0)
    assert "Status update for node server2: status up" in texts(mem)
    assert [text for _, level, text in mem.logs if level == "debug"] == []


def test_debug_1_writes_the_daemons_anydebug_lines() -> None:
    lines = texts(joined(1))
    assert "uuid is:00010203-0405-0607-0809-0a0b0c0d0e0f" in lines  # server1's hb_uuid
    update = lines.index("Status update for node server2: status up")
    assert lines[update + 1].startswith("Status seqno: ")
    assert " msgtime: 17955551" in lines[update + 1]  # the status's ts, in seconds
    assert "sending reqnodes msg to node server2" in lines
    assert "Get a reqnodes message from server2" in lines
    assert not any(text.startswith("process_clustermsg") for text in lines)  # level 2


def test_debug_2_adds_a_line_per_message_but_no_packet_traces() -> None:
    c = cluster(2)
    c.duplicates.append(lambda src, dst, message: 1)  # every datagram twice
    c.start("server1")
    c.start("server2")
    c.run_for(3000)
    lines = texts(c["server1"])
    assert "process_clustermsg: node [server2]" in lines
    assert "should_drop_message: Duplicate packet" not in lines  # level 4


def test_debug_4_traces_duplicate_packets_and_set_debug_stops_them() -> None:
    c = cluster(4)
    c.duplicates.append(lambda src, dst, message: 1)
    c.start("server1")
    c.start("server2")
    c.run_for(3000)
    mem = c["server1"]
    assert "should_drop_message: Duplicate packet" in texts(mem)
    assert mem.node is not None
    mem.node.set_debug(0)
    mem.logs.clear()
    c.run_for(3000)
    assert [text for _, level, text in mem.logs if level == "debug"] == []


def test_the_stop_command_says_it_at_debug_1() -> None:
    c = cluster(1)
    c.start("server1")
    c.run_for(1000)
    c.command("server1", "stop")
    assert "hb_initiate_shutdown() called." in texts(c["server1"])
