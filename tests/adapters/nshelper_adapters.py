"""Runs one adapter inside a network namespace for the lab tests.

Usage: ``ip netns exec NS python nshelper_adapters.py <command> <json-args>``. Prints
``ready`` (for the listeners) and then one JSON object per line. A separate process per
namespace keeps the test process in the root namespace: nothing leaks between them, a
stuck adapter is killed by PID, and the adapters run exactly as ``hbtui node`` runs them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import sys
import time
from typing import Any

from hbtui.adapters.garp import ETH_P_ARP, GarpAnnouncer, send_gratuitous_arp
from hbtui.adapters.mediasock import BcastMedium, McastMedium
from hbtui.adapters.netlink import AddressWatch, NetlinkVipDriver, VipError
from hbtui.adapters.udp import AnyMedium, PortInUse, UcastMedium, UcastTransport, UdpError


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


def emit(obj: Any) -> None:
    print(json.dumps(obj, default=_plain), flush=True)


async def vip(args: dict[str, Any]) -> None:
    driver = NetlinkVipDriver()
    try:
        for step in args["steps"]:
            op = step.pop("op")
            try:
                if op == "add":
                    emit(await driver.add(**step))
                elif op == "remove":
                    emit({"removed": await driver.remove(step["ip"])})
                elif op == "present":
                    emit({"present": await driver.present(step["ip"])})
                elif op == "list":
                    emit({"vips": await driver.list_vips()})
            except VipError as exc:
                emit({"error": str(exc)})
    finally:
        driver.close()


async def vip_watch(args: dict[str, Any]) -> None:
    events: asyncio.Queue[Any] = asyncio.Queue()
    watch = AddressWatch()
    await watch.__aenter__()  # subscribed: no change after this line is missed

    async def pump() -> None:
        async for event in watch:
            await events.put(event)

    task = asyncio.create_task(pump())
    driver = NetlinkVipDriver()
    try:
        before = time.monotonic()
        await driver.add(args["ip"], args.get("prefix"))
        added = time.monotonic()
        await driver.remove(args["ip"])
        removed = time.monotonic()
        seen = []
        while len(seen) < 2:
            event = await asyncio.wait_for(events.get(), 5)
            if event.ip == args["ip"]:
                seen.append(event)
        emit({"before": before, "added": added, "removed": removed})
        for event in seen:
            emit(event)
    finally:
        task.cancel()
        watch.close()
        driver.close()


async def garp(args: dict[str, Any]) -> None:
    cancel_after = args.get("cancel_after")
    if cancel_after is None:
        start = time.monotonic()
        emit({"start": start, "report": await send_gratuitous_arp(**args["call"])})
        return
    announcer = GarpAnnouncer(args["call"]["count"], args["call"]["interval_s"])
    announcer.announce(args["call"]["device"], args["call"]["ip"])
    task = announcer.active(args["call"]["ip"])
    await asyncio.sleep(cancel_after)
    announcer.cancel(args["call"]["ip"])
    assert task is not None
    await asyncio.wait([task])
    emit({"cancelled": task.cancelled(), "active": announcer.active(args["call"]["ip"]) is None})


async def arp_capture(args: dict[str, Any]) -> None:
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    sock.bind((args["device"], ETH_P_ARP))
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    emit("ready")
    deadline = loop.time() + args["timeout"]
    got = 0
    try:
        while got < args["count"] and loop.time() < deadline:
            try:
                frame = await asyncio.wait_for(loop.sock_recv(sock, 2048), deadline - loop.time())
            except TimeoutError:
                break
            emit({"t": time.monotonic(), "hex": frame.hex()})
            got += 1
    finally:
        sock.close()
    emit({"done": got})


def medium_of(entry: list[Any]) -> AnyMedium:
    """``[dev, host]`` (ucast), ``["bcast", dev]`` or ``["mcast", dev, group, port, ttl, loop]``."""
    if entry[0] == "bcast":
        return BcastMedium(entry[1])
    if entry[0] == "mcast":
        return McastMedium(entry[1], entry[2], int(entry[3]), int(entry[4]), bool(entry[5]))
    return UcastMedium(entry[0], entry[1])


async def udp(args: dict[str, Any]) -> None:
    queue: asyncio.Queue[tuple[bytes, tuple[str, int], int, str | None]] = asyncio.Queue()
    media = [medium_of(entry) for entry in args["media"]]
    try:
        transport = await UcastTransport.open(
            media,
            args["port"],
            lambda d, a, t, link=None: queue.put_nowait((d, a, t, link)),
            skip_local=args.get("skip_local", False),
        )
    except PortInUse as exc:
        emit({"port_in_use": str(exc), "holders": exc.holders})
        return
    except UdpError as exc:
        emit({"error": str(exc)})
        return
    try:
        emit("ready")
        if args.get("second_open"):
            try:
                await UcastTransport.open(media, args["port"], lambda d, a, t, *_: None)
                emit({"second_open": "succeeded"})
            except PortInUse as exc:
                emit({"port_in_use": str(exc), "holders": exc.holders})
        for payload in args.get("send", []):
            transport.send(payload.encode())
        for payload, ip in args.get("send_to", []):
            transport.send(payload.encode(), (ip, args["port"]))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + args.get("timeout", 0)
        got = 0
        while got < args.get("expect", 0) and loop.time() < deadline:
            try:
                data, addr, ms, link = await asyncio.wait_for(queue.get(), deadline - loop.time())
            except TimeoutError:
                break
            emit({"data": data.decode(), "addr": addr, "ms": ms, "link": link})
            got += 1
        await asyncio.sleep(args.get("linger", 0))
        emit(
            {
                "sent": transport.stats.sent,
                "received": transport.stats.received,
                "sent_bytes": transport.stats.sent_bytes,
                "received_bytes": transport.stats.received_bytes,
                "send_errors": dict(transport.stats.send_errors),
            }
        )
    finally:
        transport.close()


async def stale(args: dict[str, Any]) -> None:
    """``hbtui node``'s first act: the stale VIPs removed (before any event loop runs: a
    thread here, as pyroute2's sync ``IPRoute`` refuses a running loop)."""
    from hbtui.adapters.stale_vips import remove_stale_vips

    removed, why = await asyncio.to_thread(remove_stale_vips, args["ips"])
    emit({"removed": removed, "why": why})


COMMANDS = {
    "stale": stale,
    "vip": vip,
    "vip-watch": vip_watch,
    "garp": garp,
    "arp-capture": arp_capture,
    "udp": udp,
}

if __name__ == "__main__":
    asyncio.run(COMMANDS[sys.argv[1]](json.loads(sys.argv[2])))
