"""Configuration: one typed, frozen object built from the environment.

Development is the default. ``ASAMBLEA_ENV=production`` switches production on;
production refuses to start without ``SECRET_KEY``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import available_timezones

LANGUAGES = ("es", "pt_BR", "en")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app can start with."""


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.")
    return int(raw)


# Where ``make run`` serves: the links in mail written outside a request (the
# ballot scheduler, the demo) in development, when ASAMBLEA_BASE_URL is not set.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class MailSettings:
    server: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    use_tls: bool = True
    sender: str = "Asamblea <no-reply@localhost>"


@dataclass(frozen=True)
class LedgerOutboxSettings:
    """Where each posted transfer is sent, signed (``ledger/README.md``, "The outbox").

    Off unless both the URL and the shared secret are set. ``queue`` names the
    Redis list the worker waits on when ``REDIS_URL`` is set.
    """

    url: str | None = None
    secret: str | None = None
    timeout: int = 10  # seconds, for each network operation of one POST
    queue: str = "asamblea:ledger-outbox"

    @property
    def is_configured(self) -> bool:
        return bool(self.url and self.secret)


# An HMAC key shorter than this is guessable offline from one signed request.
OUTBOX_SECRET_MIN_LENGTH = 32


def _ledger_outbox(env: Mapping[str, str], *, is_production: bool) -> LedgerOutboxSettings:
    url = env.get("LEDGER_OUTBOX_URL", "").strip() or None
    secret = env.get("LEDGER_OUTBOX_SECRET", "").strip() or None
    timeout = _whole_number(env, "LEDGER_OUTBOX_TIMEOUT", LedgerOutboxSettings.timeout)
    queue = env.get("LEDGER_OUTBOX_QUEUE", "").strip() or LedgerOutboxSettings.queue
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"LEDGER_OUTBOX_URL must be an http(s) address, not {url!r}.")
        if is_production and parts.scheme != "https":
            raise ConfigError(
                "LEDGER_OUTBOX_URL must use https in production: transfers carry members' memos."
            )
        if secret is None:
            raise ConfigError(
                "LEDGER_OUTBOX_URL is set but LEDGER_OUTBOX_SECRET is not: "
                "the external ledger checks each transfer's signature with that shared secret."
            )
        if len(secret) < OUTBOX_SECRET_MIN_LENGTH:
            raise ConfigError(
                f"LEDGER_OUTBOX_SECRET must be at least {OUTBOX_SECRET_MIN_LENGTH} characters "
                "(a long random string shared with the external ledger)."
            )
        if timeout < 1:
            raise ConfigError("LEDGER_OUTBOX_TIMEOUT must be at least 1 (second).")
    return LedgerOutboxSettings(url=url, secret=secret, timeout=timeout, queue=queue)


def _redis_url(env: Mapping[str, str]) -> str | None:
    url = env.get("REDIS_URL", "").strip() or None
    if url is not None and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"REDIS_URL must be a redis://, rediss:// or unix:// address: {url!r}.")
    return url


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = "dev-only-not-secret"  # noqa: S105 - refused in production
    database_url: str | None = None
    default_language: str = "es"
    languages: tuple[str, ...] = LANGUAGES
    default_timezone: str = "America/Sao_Paulo"
    base_url: str | None = None
    network_name: str = "Asamblea"
    instance_path: str | None = None
    trusted_proxies: int = 0
    mail: MailSettings = field(default_factory=MailSettings)
    # Background work (the ledger outbox) goes through Redis when set; inline otherwise.
    redis_url: str | None = None
    ledger_outbox: LedgerOutboxSettings = field(default_factory=LedgerOutboxSettings)
    testing: bool = False

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mode = env.get("ASAMBLEA_ENV", "development").strip().lower()
        if mode not in ("development", "production"):
            raise ConfigError(f"ASAMBLEA_ENV must be 'development' or 'production', not {mode!r}.")
        secret = env.get("SECRET_KEY", "").strip()
        if mode == "production" and not secret:
            raise ConfigError(
                "SECRET_KEY is not set: production refuses to start without it "
                "(set SECRET_KEY to a long random string)."
            )
        languages = tuple(
            lang.strip() for lang in env.get("ASAMBLEA_LANGUAGES", ",".join(LANGUAGES)).split(",")
        )
        unknown = [lang for lang in languages if lang not in LANGUAGES]
        if unknown:
            raise ConfigError(f"ASAMBLEA_LANGUAGES names languages without a catalogue: {unknown}.")
        default_language = env.get("ASAMBLEA_DEFAULT_LANGUAGE", languages[0])
        if default_language not in languages:
            raise ConfigError("ASAMBLEA_DEFAULT_LANGUAGE must be one of ASAMBLEA_LANGUAGES.")
        database_url = env.get("DATABASE_URL", "").strip() or None
        default_timezone = env.get("ASAMBLEA_TIMEZONE", cls.default_timezone)
        if default_timezone not in available_timezones():
            raise ConfigError(f"ASAMBLEA_TIMEZONE is not a time zone: {default_timezone!r}.")
        mail_port = env.get("MAIL_PORT", "587").strip()
        if not mail_port.isdigit():
            raise ConfigError(f"MAIL_PORT must be a port number, not {mail_port!r}.")
        return cls(
            env=mode,
            secret_key=secret or cls.secret_key,
            database_url=normalise_database_url(database_url) if database_url else None,
            default_language=default_language,
            languages=languages,
            default_timezone=default_timezone,
            base_url=env.get("ASAMBLEA_BASE_URL") or None,
            network_name=env.get("ASAMBLEA_NETWORK_NAME", "").strip() or cls.network_name,
            instance_path=env.get("ASAMBLEA_INSTANCE_PATH") or None,
            trusted_proxies=_whole_number(env, "ASAMBLEA_TRUSTED_PROXIES", 0),
            mail=MailSettings(
                server=env.get("MAIL_SERVER") or None,
                port=int(mail_port),
                username=env.get("MAIL_USERNAME") or None,
                password=env.get("MAIL_PASSWORD") or None,
                use_tls=env.get("MAIL_USE_TLS", "1") not in ("0", "false", "no"),
                sender=env.get("MAIL_SENDER", MailSettings.sender),
            ),
            redis_url=_redis_url(env),
            ledger_outbox=_ledger_outbox(env, is_production=mode == "production"),
        )

    def flask_config(self, instance_path: str) -> dict[str, object]:
        """The Flask and extension settings derived from this object."""
        database_url = self.database_url or "sqlite:///" + str(
            Path(instance_path) / "asamblea.sqlite3"
        )
        return {
            "ASAMBLEA": self,
            "SECRET_KEY": self.secret_key,
            "TESTING": self.testing,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "BABEL_DEFAULT_LOCALE": self.default_language,
            "BABEL_DEFAULT_TIMEZONE": "UTC",
            "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
            "SESSION_COOKIE_SECURE": self.is_production,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.is_production,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "WTF_CSRF_ENABLED": True,
            "WTF_CSRF_TIME_LIMIT": 8 * 3600,
            "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
            "PREFERRED_URL_SCHEME": "https" if self.is_production else "http",
        }

    def describe(self) -> dict[str, object]:
        """Settings without secrets, for diagnostics."""
        data = asdict(self)
        data["secret_key"] = "***"  # noqa: S105
        data["mail"]["password"] = "***" if self.mail.password else None
        data["ledger_outbox"]["secret"] = "***" if self.ledger_outbox.secret else None
        data["redis_url"] = self.redis_url and _without_password(self.redis_url)
        return data
