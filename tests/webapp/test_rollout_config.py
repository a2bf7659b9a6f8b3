"""Mail, sign-in and scheduler settings from the environment: defaults, and bad values refused with a
message naming the variable."""

from __future__ import annotations

import pytest

from webapp.config import ConfigError, load_config


def test_without_an_smtp_host_mail_is_captured_and_with_one_it_is_sent(tmp_path):
    assert load_config(str(tmp_path), {})["MAIL_CAPTURE"] is True
    config = load_config(str(tmp_path), {"GROUNDSWELL_SMTP_HOST": "smtp.example.test", "GROUNDSWELL_SMTP_PORT": "2525",
                                         "GROUNDSWELL_SMTP_USERNAME": "u", "GROUNDSWELL_SMTP_PASSWORD": "p"})
    assert config["MAIL_CAPTURE"] is False and config["MAIL_USE_TLS"] is True
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USERNAME"]) == ("smtp.example.test", 2525, "u")


@pytest.mark.parametrize("env, message", [
    ({"GROUNDSWELL_SMTP_PORT": "smtp"}, "GROUNDSWELL_SMTP_PORT"),
    ({"GROUNDSWELL_SMTP_STARTTLS": "yes"}, "GROUNDSWELL_SMTP_STARTTLS must be 0 or 1"),
    ({"GROUNDSWELL_OIDC_ISSUER": "https://id.example.test"}, "needs GROUNDSWELL_OIDC_CLIENT_ID"),
    ({"GROUNDSWELL_SSO_ONLY": "1"}, "needs GROUNDSWELL_OIDC_ISSUER"),
    ({"GROUNDSWELL_SCHEDULER": "cron"}, "GROUNDSWELL_SCHEDULER must be embedded or off"),
    ({"GROUNDSWELL_INVITE_TTL_HOURS": "0"}, "GROUNDSWELL_INVITE_TTL_HOURS must be at least"),
])
def test_bad_settings_are_refused_naming_the_variable(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(str(tmp_path), env)
