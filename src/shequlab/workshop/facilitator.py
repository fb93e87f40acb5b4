"""The facilitator key: long, known to kernels only as a salted hash, guessed a few times at most.

A participant's kernel is where the facilitator's controls (close, reset, export) are unlocked,
so a key must be infeasible to guess from there: 12 characters (60 bits), checked against a
PBKDF2 hash (the kernel never holds the key), with failures limited per kernel and, in the
shared store, per join code of the room's open sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from shequlab.workshop.store import CODE_ALPHABET, EntryRefused, WorkshopStore

KEY_ENV = "SHEQULAB_FACILITATOR_KEY"  # the key itself: the server's, never a served kernel's
KEY_HASH_ENV = "SHEQULAB_FACILITATOR_KEY_HASH"  # what served kernels get
KEY_GROUPS, GROUP_LENGTH = 3, 4  # read aloud or copied as ABCD-EFGH-JKLM
ITERATIONS = 100_000  # ~50 ms per check here: nothing for one try, much for many
KERNEL_FAILURES = 5  # wrong keys one kernel (one open page) may try
CODE_FAILURES = 10  # wrong keys all kernels together may try per join code ...
CODE_WINDOW = 15 * 60  # ... within this many seconds
NO_SESSION = "-"  # the scope of failures while no session is open


class KeyRefused(EntryRefused):
    """A wrong key, or too many of them."""


def new_key() -> str:
    """A fresh key of KEY_GROUPS groups of GROUP_LENGTH characters from the join-code alphabet."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(GROUP_LENGTH))
        for _ in range(KEY_GROUPS)
    )
    return "-".join(groups)


def normalise(key: str) -> str:
    """Case, spaces and dashes do not matter when a key is typed."""
    return "".join(ch for ch in (key or "").upper() if ch not in " -\t")


def key_hash(key: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    """`pbkdf2-sha256$iterations$salt$hash` of the normalised key."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", normalise(key).encode(), salt.encode(), iterations)
    return f"pbkdf2-sha256${iterations}${salt}${digest.hex()}"


def key_matches(given: str, stored_hash: str) -> bool:
    """True when `given` is the key behind `stored_hash` (compared in constant time)."""
    try:
        _, iterations, salt, _ = stored_hash.split("$")
        expected = key_hash(given, salt, int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(expected, stored_hash)


def expected_hash() -> str | None:
    """The served key's hash; a kernel started outside `apps serve` may have the key itself."""
    if os.environ.get(KEY_HASH_ENV):
        return os.environ[KEY_HASH_ENV]
    key = os.environ.get(KEY_ENV)
    return key_hash(key) if key else None


class KeyGuard:
    """Checks the keys typed into this kernel; refuses once too many were wrong."""

    def __init__(self, store: WorkshopStore) -> None:
        self.store = store
        self.failures = 0

    def check(self, given: str, codes: list[str]) -> None:
        """Return if `given` is the key; raise KeyRefused otherwise, or when locked.

        `codes` are the join codes of the sessions open in the room (each counts failures).
        """
        scopes = [f"code:{code}" for code in codes] or [f"code:{NO_SESSION}"]
        if self.failures >= KERNEL_FAILURES:
            raise KeyRefused(
                f"口令错误次数过多（{KERNEL_FAILURES} 次），此页面已锁定",
                f"too many wrong keys ({KERNEL_FAILURES}); this page is locked",
            )
        if any(self.store.key_failures(s, CODE_WINDOW) >= CODE_FAILURES for s in scopes):
            raise KeyRefused(
                f"本场活动口令错误次数过多，请 {CODE_WINDOW // 60} 分钟后再试",
                f"too many wrong keys for this session; try again in {CODE_WINDOW // 60} minutes",
            )
        stored = expected_hash()
        if stored and key_matches(given, stored):
            return
        self.failures += 1
        for scope in scopes:
            self.store.record_key_failure(scope)
        left = KERNEL_FAILURES - self.failures
        raise KeyRefused(
            f"口令不对（见启动服务的终端），还可尝试 {left} 次",
            f"wrong key (printed by `shequlab apps serve`); {left} tries left",
        )
