# Sourced by scripts/demo and scripts/test: a virtual environment in the clone (.venv), so
# nothing is pip-installed into the system's Python (Debian 12's python3 is "externally
# managed", PEP 668). Creates it when missing (as root on Debian, installs python3-venv first),
# then installs this checkout into it with the extras in $1 (e.g. "[test]").
# Sets VENV_PY to the venv's python and puts the venv's bin first on PATH.

venv_dir="$(pwd)/.venv"
if [ ! -x "$venv_dir/bin/python" ]; then
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv
        else
            echo "python3 cannot make a virtual environment: install Debian's python3-venv (as root)" >&2
            exit 2
        fi
    fi
    python3 -m venv "$venv_dir"
fi
VENV_PY="$venv_dir/bin/python"
"$VENV_PY" -m pip install -q --disable-pip-version-check -e ".$1"
export PATH="$venv_dir/bin:$PATH"
