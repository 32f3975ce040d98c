"""Failed sign-ins counted per (account, client address) and per address, shared by every worker.

Policy: a sign-in attempt is refused (429) when, counting the attempt itself, the failures in a sliding
window exceed QUOTA_LOGIN_RATE_LIMIT for the same account from the same address, or
QUOTA_LOGIN_ADDRESS_RATE_LIMIT for the address over all accounts (password spraying). Another address is
never affected, so an attacker cannot lock a user out. A successful sign-in is not counted and resets
nothing; refused attempts are not counted either (so hammering does not extend a lock-out).

Race safety: an attempt is first recorded (committed), then the attempts in the window are counted, so
concurrent attempts in any worker all see each other (at worst both are refused); a refused or successful
attempt then takes its record back. Times come from the app clock, so tests control the window.

Storage: the database (table login_attempt, pruned on every attempt) or Redis sorted sets. The `limits`
library parses the settings, but its storages read the wall clock and cannot take an entry back, which
this policy needs.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import redis
import sqlalchemy as sa
from limits import parse_many
from sqlmodel import col

from ..db import Database
from ..models import LoginAttempt
from ..settings import Settings


class ThrottleUnavailable(RuntimeError):
    """The storage cannot be reached: sign-ins are refused (503) rather than let through uncounted."""


@dataclass(frozen=True)
class Limit:
    amount: int
    window: timedelta


def parse_limits(text: str) -> list[Limit]:
    return [Limit(item.amount, timedelta(seconds=item.get_expiry())) for item in parse_many(text)]


@dataclass
class Attempt:
    """An attempt being checked: refused with retry_after seconds, or allowed (retry_after None)."""

    handle: Any
    retry_after: int | None


class Storage(Protocol):
    def add(self, *, account: str, address: str, at: datetime, keep_after: datetime) -> Any:
        """Record an attempt, forget those at or before keep_after; return a handle to take it back."""

    def times(self, *, account: str, address: str, since: datetime) -> tuple[list[datetime], list[datetime]]:
        """Return the times after since for the pair and for the address, oldest first."""

    def discard(self, handle: Any) -> None:
        """Take a recorded attempt back."""


class DatabaseStorage:
    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, *, account: str, address: str, at: datetime, keep_after: datetime) -> Any:
        with self._database.begin() as session:
            # SKIP LOCKED: concurrent pruners on PostgreSQL never wait for (or deadlock on) each other.
            stale = (
                sa.select(col(LoginAttempt.id))
                .where(col(LoginAttempt.at) <= keep_after)
                .with_for_update(skip_locked=True)
            )
            session.execute(sa.delete(LoginAttempt).where(col(LoginAttempt.id).in_(stale)))
            attempt = LoginAttempt(account=account, address=address, at=at)
            session.add(attempt)
            session.flush()
            return attempt.id

    def times(self, *, account: str, address: str, since: datetime) -> tuple[list[datetime], list[datetime]]:
        with self._database.begin(write=False) as session:
            rows = session.execute(
                sa.select(col(LoginAttempt.account), col(LoginAttempt.at))
                .where(col(LoginAttempt.address) == address, col(LoginAttempt.at) > since)
                .order_by(col(LoginAttempt.at), col(LoginAttempt.id))
            ).all()
        return [at for who, at in rows if who == account], [at for _who, at in rows]

    def discard(self, handle: Any) -> None:
        with self._database.begin() as session:
            session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id == handle))


class RedisStorage:
    """One sorted set per pair and per address; members scored by the app clock's timestamps."""

    PREFIX = "quota:login-failures"

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url)

    def _keys(self, account: str, address: str) -> tuple[str, str]:
        return f"{self.PREFIX}:pair:{address}:{account}", f"{self.PREFIX}:address:{address}"

    def add(self, *, account: str, address: str, at: datetime, keep_after: datetime) -> Any:
        member = f"{at.timestamp():.6f}:{uuid.uuid4().hex}"
        ttl = max(1, math.ceil((at - keep_after).total_seconds()))
        keys = self._keys(account, address)
        with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.zremrangebyscore(key, "-inf", keep_after.timestamp())
                pipe.zadd(key, {member: at.timestamp()})
                pipe.expire(key, ttl)
            pipe.execute()
        return keys, member

    def times(self, *, account: str, address: str, since: datetime) -> tuple[list[datetime], list[datetime]]:
        with self._redis.pipeline(transaction=True) as pipe:
            for key in self._keys(account, address):
                pipe.zrangebyscore(key, f"({since.timestamp()}", "+inf", withscores=True)
            pair, by_address = pipe.execute()
        tz = since.tzinfo
        return (
            [datetime.fromtimestamp(score, tz) for _member, score in pair],
            [datetime.fromtimestamp(score, tz) for _member, score in by_address],
        )

    def discard(self, handle: Any) -> None:
        keys, member = handle
        with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.zrem(key, member)
            pipe.execute()


class LoginThrottle:
    def __init__(self, storage: Storage, *, pair_limits: list[Limit], address_limits: list[Limit]) -> None:
        self.storage = storage
        self.pair_limits = pair_limits
        self.address_limits = address_limits
        self.longest = max(limit.window for limit in [*pair_limits, *address_limits])

    @classmethod
    def from_settings(cls, settings: Settings, database: Database) -> LoginThrottle:
        uri = settings.ratelimit_storage_uri
        storage: Storage = DatabaseStorage(database) if uri == "database" else RedisStorage(uri)
        return cls(
            storage,
            pair_limits=parse_limits(settings.login_rate_limit),
            address_limits=parse_limits(settings.login_address_rate_limit),
        )

    def check(self, *, account: str, address: str, now: datetime) -> Attempt:
        """Record an attempt and decide; refused attempts are already taken back."""
        try:
            return self._check(account=account, address=address[:64], now=now)
        except redis.exceptions.RedisError as exc:
            raise ThrottleUnavailable(str(exc)) from exc

    def _check(self, *, account: str, address: str, now: datetime) -> Attempt:
        handle = self.storage.add(account=account, address=address, at=now, keep_after=now - self.longest)
        pair, by_address = self.storage.times(account=account, address=address, since=now - self.longest)
        waits = [
            *_waits(pair, self.pair_limits, now),
            *_waits(by_address, self.address_limits, now),
        ]
        if not waits:
            return Attempt(handle, None)
        self.storage.discard(handle)
        return Attempt(None, max(1, math.ceil(max(waits))))

    def succeeded(self, attempt: Attempt) -> None:
        """A successful sign-in is not counted."""
        if attempt.handle is not None:
            self.storage.discard(attempt.handle)


def _waits(times: list[datetime], limits: list[Limit], now: datetime) -> list[float]:
    """Seconds until another attempt would be allowed, for each limit this attempt exceeds."""
    waits = []
    for limit in limits:
        in_window = [at for at in times if at > now - limit.window]
        if len(in_window) > limit.amount:
            # Without this attempt, len - 1 are recorded; the next may come when only amount - 1 remain.
            earlier = len(in_window) - 1
            oldest_to_expire = in_window[earlier - limit.amount]
            waits.append((oldest_to_expire + limit.window - now).total_seconds())
    return waits
