"""The node engine: a pure state machine fed datagrams, ticks and commands.

Runtime contract (``hbtui.engine.node.Node``; all times are monotonic integer ms):

- ``Node(config, Identity(uuid, generation), now, wall_offset_ms=epoch_ms - now,
  pid=os.getpid(), ucast_ips=<resolved ucast hosts>)`` then
  ``start(now, present_vips=<haresources VIPs already on our interfaces>)``.
- Feed every datagram from the udpport socket: ``feed(data, (ip, port), now)``; arm one
  timer at ``next_deadline()`` and call ``tick(now)`` when it fires (process queued
  datagrams first). ``set_loadavg(open('/proc/loadavg').read())`` now and then.
- Execute the returned actions in order (``hbtui.engine.actions``):
  ``Send`` (to every ucast host when ``dest`` is None; the self-copy may be skipped),
  ``AddVip`` (must succeed when the address is already there, and still send the
  gratuitous ARPs when ``arp``), ``DelVip`` (success when already absent), ``RunScript``
  (argv, no shell; stdout -> ``ScriptResult.output``), ``WriteLog`` (``source``
  heartbeat: ``<date> <host> heartbeat: [pid]: LEVEL: text``; ResourceManager/mach_down:
  ``YYYY/MM/DD_HH:MM:SS  <source>(default)[pid]:    info: text``), ``Exit``.
  Answer ``AddVip``/``DelVip`` with ``vip_done(id, VipResult, now)`` and ``RunScript``
  with ``script_done(id, ScriptResult, now)``; they may come later, in any order.
- Everything else in the output lists is an event (``hbtui.engine.events``) for the bus.
- ``command("standby" | "takeover" | "stop", now, arg)``; SIGTERM = ``stop``, then exit
  on ``Exit``. ``describe(now)`` is the typed picture (``hbtui.engine.snapshot``);
  ``snapshot(now)`` is its JSON-able dict.

States are enums and their steps tables that raise on an illegal step: our status
(``engine/status.py``), the standby handshake (``engine/handshake.py``), a resource
step's phase (``engine/resources.py``).
"""
