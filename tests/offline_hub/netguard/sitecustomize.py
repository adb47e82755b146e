"""Network guard for the course's offline test run.

This folder is put on PYTHONPATH by build/offline-hub/env.sh, so every Python process of the test
run (pytest, each notebook kernel) imports this module at start-up. With ``NLPCOURSE_NETGUARD=1``
any attempt to reach a non-loopback address fails at once with an ``OSError`` that says so, instead
of hanging until a timeout: ``socket.getaddrinfo`` for a host that is not local, and
``connect``/``connect_ex``/``sendto`` of an Internet socket to an address that is not loopback
(127.0.0.0/8, ::1). Unix sockets, loopback TCP (jupyter's ZMQ channels) and binding are untouched.
Without the variable the module does nothing but hand over to any other ``sitecustomize`` it hides.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys

ENV_VAR = "NLPCOURSE_NETGUARD"
MESSAGE = "network access is blocked in the course's offline test run: {}"
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_local_host(host: object) -> bool:
    """Whether ``host`` (name, IP literal, bytes or None) names this machine's loopback."""
    if host is None:
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    name = str(host).strip().strip("[]").lower()
    if name in ("", "0.0.0.0", "::") or name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _blocked(what: str) -> OSError:
    return OSError(errno.ENETUNREACH, MESSAGE.format(what))


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    if isinstance(address, tuple) and address and not is_local_host(address[0]):
        port = f":{address[1]}" if len(address) > 1 else ""
        raise _blocked(f"{address[0]}{port}")


def install() -> None:
    """Patch the socket module so that non-loopback network access fails at once."""
    if getattr(socket, "_nlpcourse_netguard", False):
        return
    original_getaddrinfo = socket.getaddrinfo
    original_create_connection = socket.create_connection
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto

    def getaddrinfo(host, port, *args, **kwargs):
        if not is_local_host(host):
            raise socket.gaierror(socket.EAI_NONAME, MESSAGE.format(f"{host}:{port}"))
        return original_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        host, port = address[0], address[1]
        if not is_local_host(host):
            raise _blocked(f"{host}:{port}")
        return original_create_connection(address, *args, **kwargs)

    def connect(self, address):
        _check_address(self, address)
        return original_connect(self, address)

    def connect_ex(self, address):
        _check_address(self, address)
        return original_connect_ex(self, address)

    def sendto(self, data, *args):
        _check_address(self, args[-1] if args else None)
        return original_sendto(self, data, *args)

    socket.getaddrinfo = getaddrinfo
    socket.create_connection = create_connection
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket._nlpcourse_netguard = True


def _run_hidden_sitecustomize() -> None:
    """Run the next ``sitecustomize`` on sys.path, which this module hides by coming first."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    path = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None or spec.origin == os.path.abspath(__file__):
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


if os.environ.get(ENV_VAR) == "1":
    install()
_run_hidden_sitecustomize()
