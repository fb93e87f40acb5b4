"""The workshop store: sessions with a join code and one entry per participant, shared by kernels.

SQLite in WAL mode is the embedded default (`build/workshop.db`, or $SHEQULAB_WORKSHOP_DB as a
path or SQLAlchemy URL such as postgresql://...). Every Voila kernel opens its own connection;
an entry is keyed by (session, participant) and written with an upsert, so a participant who
submits again replaces their own entry and concurrent participants never overwrite each other.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from shequlab.layout.project import Project

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud
KINDS = ("vote", "rating")

metadata = sa.MetaData()
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),  # open | closed
    sa.Column("config", sa.Text, nullable=False),  # JSON: items, budget, criteria
    sa.Column("created_at", sa.String(32), nullable=False),
)
entries = sa.Table(
    "entries",
    metadata,
    sa.Column("session_code", sa.String(8), sa.ForeignKey("sessions.code"), primary_key=True),
    sa.Column("participant", sa.String(40), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),  # JSON: {item: value} or {item: {crit: score}}
    sa.Column("updated_at", sa.String(32), nullable=False),
)
# What a reset took away, kept (and restorable) until the session is deleted.
reset_entries = sa.Table(
    "reset_entries",
    metadata,
    sa.Column("session_code", sa.String(8), sa.ForeignKey("sessions.code"), primary_key=True),
    sa.Column("reset_at", sa.Float, primary_key=True),  # one reset = one batch
    sa.Column("participant", sa.String(40), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)
# Wrong facilitator keys, so that all kernels together are limited per join code.
key_failures = sa.Table(
    "key_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(40), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
)


class EntryRefused(ValueError):
    """An entry or request the store refuses; carries a message in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Session:
    """A workshop session: what is voted or rated, and whether it accepts entries."""

    code: str
    kind: str
    title: str
    status: str
    config: dict[str, Any]
    created_at: str

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def default_url() -> str:
    """$SHEQULAB_WORKSHOP_DB (a URL, or a file path for SQLite), else build/workshop.db."""
    value = os.environ.get("SHEQULAB_WORKSHOP_DB") or str(Project.at().workshop_store_file)
    return value if "://" in value else f"sqlite:///{os.path.abspath(value)}"


def _create_private(path: str) -> None:
    """Create the SQLite file (empty is a valid database) readable by its owner and group only:
    it holds participants' entries, and SQLite gives its -wal and -shm files the same mode."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o660)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, 0o660)  # the umask may have taken the group's write


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class WorkshopStore:
    """Sessions and entries in one database; safe to use from many processes at once."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        if self.url.startswith("sqlite:///"):
            path = self.url[len("sqlite:///") :]
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            _create_private(path)
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True)
        self._retry(self._create_tables)

    def _create_tables(self) -> None:
        # Kernels start together: another one may create the tables between check and create.
        try:
            metadata.create_all(self.engine)
        except sa.exc.OperationalError as exc:
            if "already exists" not in str(exc):
                raise

    # --- sessions ----------------------------------------------------------------------------

    def open_session(self, kind: str, title: str, config: dict[str, Any]) -> Session:
        """Create an open session with a fresh join code."""
        if kind not in KINDS:
            raise EntryRefused(f"未知的活动类型 {kind!r}", f"unknown session kind {kind!r}")
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
            row = dict(
                code=code,
                kind=kind,
                title=title,
                status="open",
                config=json.dumps(config, ensure_ascii=False),
                created_at=_now(),
            )
            try:
                self._write(lambda c, row=row: c.execute(sessions.insert().values(**row)))
            except sa.exc.IntegrityError:
                continue
            return self.session(code)
        raise RuntimeError("could not find a free join code")

    def session(self, code: str) -> Session:
        """The session with this join code (case-insensitive); EntryRefused if there is none."""
        code = (code or "").strip().upper()
        with self.engine.connect() as conn:
            row = conn.execute(sessions.select().where(sessions.c.code == code)).first()
        if row is None:
            raise EntryRefused(
                f"没有加入码为 {code or '（空）'} 的活动，请核对",
                f"no session with join code {code or '(empty)'}; check the code",
            )
        return Session(
            row.code, row.kind, row.title, row.status, json.loads(row.config), row.created_at
        )

    def sessions(self, kind: str | None = None, status: str | None = None) -> list[Session]:
        """Sessions, newest first, optionally of one kind and/or status."""
        query = sessions.select().order_by(sessions.c.created_at.desc(), sessions.c.code)
        if kind:
            query = query.where(sessions.c.kind == kind)
        if status:
            query = query.where(sessions.c.status == status)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Session(r.code, r.kind, r.title, r.status, json.loads(r.config), r.created_at)
            for r in rows
        ]

    def set_status(self, code: str, status: str) -> Session:
        """Open or close a session (entries are kept)."""
        if status not in ("open", "closed"):
            raise ValueError(status)
        code = self.session(code).code
        self._write(
            lambda c: c.execute(
                sessions.update().where(sessions.c.code == code).values(status=status)
            )
        )
        return self.session(code)

    def reset(self, code: str) -> int:
        """Clear a session's entries, keeping them aside for undo_reset; returns how many."""
        code = self.session(code).code
        moment = time.time()

        def move(c: sa.Connection) -> int:
            rows = c.execute(entries.select().where(entries.c.session_code == code)).all()
            if rows:
                c.execute(
                    reset_entries.insert(),
                    [{**row._asdict(), "reset_at": moment} for row in rows],
                )
            c.execute(entries.delete().where(entries.c.session_code == code))
            return len(rows)

        return self._write(move)

    def undo_reset(self, code: str) -> int:
        """Bring back what the last reset cleared; an entry submitted since then is kept.
        Returns how many entries came back."""
        code = self.session(code).code

        def restore(c: sa.Connection) -> int:
            last = c.execute(
                sa.select(sa.func.max(reset_entries.c.reset_at)).where(
                    reset_entries.c.session_code == code
                )
            ).scalar()
            if last is None:
                return 0
            batch = reset_entries.c.session_code == code, reset_entries.c.reset_at == last
            current = set(
                c.execute(sa.select(entries.c.participant).where(entries.c.session_code == code))
                .scalars()
                .all()
            )
            rows = [
                {k: v for k, v in row._asdict().items() if k != "reset_at"}
                for row in c.execute(reset_entries.select().where(*batch)).all()
                if row.participant not in current
            ]
            if rows:
                c.execute(entries.insert(), rows)
            c.execute(reset_entries.delete().where(*batch))
            return len(rows)

        return self._write(restore)

    def delete_session(self, code: str) -> None:
        """Delete a session with its entries and whatever its resets kept."""
        code = self.session(code).code

        def delete(c: sa.Connection) -> None:
            c.execute(reset_entries.delete().where(reset_entries.c.session_code == code))
            c.execute(entries.delete().where(entries.c.session_code == code))
            c.execute(key_failures.delete().where(key_failures.c.scope == f"code:{code}"))
            c.execute(sessions.delete().where(sessions.c.code == code))

        self._write(delete)

    # --- facilitator key failures ------------------------------------------------------------

    def record_key_failure(self, scope: str) -> None:
        self._write(lambda c: c.execute(key_failures.insert().values(scope=scope, at=time.time())))

    def key_failures(self, scope: str, within_seconds: float) -> int:
        """Wrong keys recorded for `scope` in the last `within_seconds`."""
        since = time.time() - within_seconds
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count())
                .select_from(key_failures)
                .where(key_failures.c.scope == scope, key_failures.c.at >= since)
            ).scalar_one()

    # --- entries -----------------------------------------------------------------------------

    def submit(self, code: str, participant: str, payload: dict[str, Any]) -> None:
        """Insert or replace this participant's entry; refused when the session is closed."""
        participant = normalise_participant(participant)
        session = self.session(code)
        if not session.is_open:
            raise EntryRefused(
                "该活动已结束，不能再提交", "this session is closed; entries are not accepted"
            )
        row = dict(
            session_code=session.code,
            participant=participant,
            payload=json.dumps(payload, ensure_ascii=False),
            updated_at=_now(),
        )
        self._write(lambda c: _upsert(c, row))

    def entry(self, code: str, participant: str) -> dict[str, Any] | None:
        """This participant's current entry, or None (used to restore it after a reload)."""
        participant = normalise_participant(participant)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(entries.c.payload).where(
                    entries.c.session_code == code.strip().upper(),
                    entries.c.participant == participant,
                )
            ).first()
        return json.loads(row.payload) if row else None

    def entries(self, code: str) -> dict[str, dict[str, Any]]:
        """All entries of a session: participant -> payload."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(entries.c.participant, entries.c.payload)
                .where(entries.c.session_code == code.strip().upper())
                .order_by(entries.c.participant)
            ).all()
        return {r.participant: json.loads(r.payload) for r in rows}

    def export_csv(self, code: str) -> str:
        """One row per participant and item (and criterion): UTF-8 with BOM so Excel reads it."""
        session = self.session(code)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["session", "kind", "participant", "item", "criterion", "value"])
        for participant, payload in self.entries(code).items():
            for item, value in payload.items():
                if isinstance(value, dict):
                    for criterion, score in value.items():
                        writer.writerow(
                            [session.code, session.kind, participant, item, criterion, score]
                        )
                else:
                    writer.writerow([session.code, session.kind, participant, item, "", value])
        return "\ufeff" + out.getvalue()

    # --- plumbing ----------------------------------------------------------------------------

    def _write(self, work):
        return self._retry(lambda: _in_transaction(self.engine, work))

    @staticmethod
    def _retry(action, attempts: int = 20):
        """SQLite allows one writer at a time: wait and retry when the database is locked."""
        for attempt in range(attempts):
            try:
                return action()
            except sa.exc.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1) + random.random() * 0.05)
        return None


def normalise_participant(name: str) -> str:
    """Participants are identified by the name or seat they type; refuse empty or overlong ones."""
    name = " ".join((name or "").split())
    if not name:
        raise EntryRefused("请先填写你的昵称或座位号", "enter your nickname or seat number first")
    if len(name) > 40:
        raise EntryRefused("昵称太长（最多 40 个字）", "nickname too long (40 characters at most)")
    return name


def _in_transaction(engine: sa.Engine, work):
    with engine.begin() as conn:
        return work(conn)


def _upsert(conn: sa.Connection, row: dict[str, Any]) -> None:
    name = conn.dialect.name
    if name in ("sqlite", "postgresql"):
        dialect = sqlite if name == "sqlite" else postgresql
        stmt = dialect.insert(entries).values(**row)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[entries.c.session_code, entries.c.participant],
                set_={"payload": row["payload"], "updated_at": row["updated_at"]},
            )
        )
        return
    updated = conn.execute(
        entries.update()
        .where(
            entries.c.session_code == row["session_code"],
            entries.c.participant == row["participant"],
        )
        .values(payload=row["payload"], updated_at=row["updated_at"])
    ).rowcount
    if not updated:
        conn.execute(entries.insert().values(**row))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
