"""Behind trusted proxies, login throttling must see the real client address."""

import pytest

from governance.config import ConfigError, Settings
from governance.web import client_address
from tests.fixtures.app import make_app


def test_trusted_proxy_count_is_read_from_the_environment():
    assert Settings.from_env({"ASAMBLEA_TRUSTED_PROXIES": "1"}).trusted_proxies == 1
    assert Settings.from_env({}).trusted_proxies == 0
    with pytest.raises(ConfigError, match="ASAMBLEA_TRUSTED_PROXIES"):
        Settings.from_env({"ASAMBLEA_TRUSTED_PROXIES": "one"})


@pytest.mark.parametrize(("proxies", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_address_is_used_only_when_proxies_are_trusted(tmp_path, proxies, expected):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/unused.sqlite3",
        testing=True,
        instance_path=str(tmp_path),
        trusted_proxies=proxies,
    )
    app = make_app(settings.database_url, tmp_path, ASAMBLEA=settings)
    app.add_url_rule("/address", "address", lambda: client_address())
    response = app.test_client().get("/address", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == expected
