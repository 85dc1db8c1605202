"""The accounts table `lab up` prints, read from the files the bootstrap and the demo write."""

from __future__ import annotations

from pathlib import Path

ADMIN_FILE = "admin-password.txt"
ACCOUNTS_FILE = "demo-accounts.txt"


def read_accounts(home: Path) -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of the development admin and the demo accounts, if any."""
    rows: list[tuple[str, str, str]] = []
    admin = home / ADMIN_FILE
    if admin.exists():
        email, password = admin.read_text().split()[:2]
        rows.append(("admin", email, password))
    demo = home / ACCOUNTS_FILE
    if demo.exists():
        for line in demo.read_text().splitlines():
            email, role, password = line.split("\t")
            rows.append((role, email, password))
    return rows


def table(rows: list[tuple[str, str, str]]) -> str:
    """A small fixed-width table: role, e-mail, password."""
    head = ("role", "e-mail", "password")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in [head, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


__all__ = ["ACCOUNTS_FILE", "ADMIN_FILE", "read_accounts", "table"]
