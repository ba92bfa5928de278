"""The one place that reaches into aiosqlite's internals.

aiosqlite runs every call of a connection on that connection's own thread, one hop between
threads per call. A bulk write of thousands of rows wants one hop for the whole batch, and
aiosqlite has no public way to run a function on that thread or to reach the sqlite3 connection
it wraps: `Connection._execute` and `Connection._conn` have been stable since aiosqlite 0.11.
If an upgrade renames them, only this module changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import aiosqlite

T = TypeVar("T")


def raw_connection(conn: aiosqlite.Connection) -> sqlite3.Connection:
    """The sqlite3 connection inside `conn`; use it only on that connection's thread."""
    conn_: sqlite3.Connection = conn._conn
    return conn_


async def on_connection_thread(conn: aiosqlite.Connection, fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(*args)` on `conn`'s thread, queued behind the calls already waiting there."""
    run: Callable[..., Awaitable[Any]] = conn._execute
    return cast(T, await run(fn, *args))
