"""Configuration is one typed object built from the environment."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from governance.config import ConfigError, Settings, normalise_database_url

ASAMBLEA = Path(sys.executable).parent / "asamblea"


def test_development_defaults_are_safe_to_start():
    settings = Settings.from_env({})
    assert not settings.is_production
    assert settings.database_url is None  # the SQLite file in the instance folder
    assert settings.languages == ("es", "pt_BR", "en")
    config = settings.flask_config("/srv/instance")
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/instance/asamblea.sqlite3"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_production_without_secret_key_is_refused_in_one_line():
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"ASAMBLEA_ENV": "production", "SECRET_KEY": "  "})
    message = str(error.value)
    assert "SECRET_KEY" in message
    assert "\n" not in message


def test_production_with_secret_key_hardens_cookies():
    settings = Settings.from_env({"ASAMBLEA_ENV": "Production", "SECRET_KEY": "s3cr3t-long"})
    assert settings.is_production
    config = settings.flask_config("/srv/instance")
    assert config["SECRET_KEY"] == "s3cr3t-long"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["PREFERRED_URL_SCHEME"] == "https"


def test_settings_are_frozen():
    settings = Settings.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.secret_key = "changed"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://u:p@db.internal:5432/asamblea",
            "postgresql+psycopg://u:p@db.internal:5432/asamblea",
        ),
        ("postgresql://u@db/asamblea", "postgresql+psycopg://u@db/asamblea"),
        ("postgresql+psycopg://u@db/asamblea", "postgresql+psycopg://u@db/asamblea"),
        ("sqlite:////var/lib/asamblea.sqlite3", "sqlite:////var/lib/asamblea.sqlite3"),
    ],
)
def test_database_url_uses_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected
    assert Settings.from_env({"DATABASE_URL": f" {given} "}).database_url == expected


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ASAMBLEA_LANGUAGES": "es,fr"}, "fr"),
        ({"ASAMBLEA_LANGUAGES": "es,pt_BR", "ASAMBLEA_DEFAULT_LANGUAGE": "en"}, "DEFAULT"),
        ({"ASAMBLEA_ENV": "staging"}, "staging"),
        ({"ASAMBLEA_TIMEZONE": "America/Atlantis"}, "America/Atlantis"),
        ({"MAIL_PORT": "smtp"}, "MAIL_PORT"),
    ],
)
def test_bad_settings_are_refused_in_one_line(environ, named):
    with pytest.raises(ConfigError, match=named) as error:
        Settings.from_env(environ)
    assert "\n" not in str(error.value)


def test_language_list_and_default_are_read():
    settings = Settings.from_env({"ASAMBLEA_LANGUAGES": "pt_BR, en"})
    assert settings.languages == ("pt_BR", "en")
    assert settings.default_language == "pt_BR"


def test_describe_hides_secrets():
    settings = Settings.from_env({"SECRET_KEY": "top", "MAIL_PASSWORD": "hidden"})
    described = settings.describe()
    assert described["secret_key"] == "***"
    assert described["mail"]["password"] == "***"
    assert "top" not in repr(described) and "hidden" not in repr(described)


def test_cli_in_production_without_secret_key_prints_one_line(tmp_path):
    environ = {
        "PATH": "/usr/bin:/bin",
        "ASAMBLEA_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'asamblea.sqlite3'}",
        "ASAMBLEA_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    result = subprocess.run(
        [str(ASAMBLEA), "audit", "verify"],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY is not set" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "asamblea.sqlite3").exists()
