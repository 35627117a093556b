"""Namespace lab: cluster nodes on one machine, each in its own network, UTS, mount, IPC and
PID namespaces, on a bridge that lives in a namespace of its own. Root only.

``hbtui demo`` builds its two-node cluster with it; the tests (``tests/lab``) and ``bench/``
build theirs. See ``tests/lab/README.md`` for how a node is made and torn down.
"""
