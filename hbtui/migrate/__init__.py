"""``hbtui migrate --to pacemaker``: a Heartbeat R1 cluster rewritten for Corosync 3 + Pacemaker.

Pure generation: the modules here read a loaded :class:`hbtui.config.model.ClusterConfig`
and return text (corosync.conf, a CIB, pcs and crm commands, LSB wrappers, a README). Name
resolution and the random authkey are passed in; nothing here touches the network or disk.
"""
