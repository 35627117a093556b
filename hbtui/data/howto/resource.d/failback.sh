#!/bin/sh
# Demo resource script: says what it was asked to do; prints nothing for status,
# so Heartbeat (and hbtui) treat it as stopped and call start on every acquisition.
case "$1" in
  start)  echo "failback.sh: starting on $(uname -n)" ;;
  stop)   echo "failback.sh: stopping on $(uname -n)" ;;
  status) ;;
  *)      echo "usage: $0 start|stop|status" >&2; exit 1 ;;
esac
exit 0
