"""The password policy holds wherever a password is set: create-user, create_person, set_password."""

from __future__ import annotations

import pytest

from webapp.infra.passwords import PasswordPolicyError, check_policy

EMAIL = "dana.pryce@example.test"
NAME = "Dana Pryce"


@pytest.mark.parametrize("password", [EMAIL, EMAIL.upper(), f" {EMAIL} ", "dana.pryce", NAME,
                                      NAME.lower(), "Dana  Pryce"],
                         ids=["email", "email-upper", "email-padded", "email-local-part", "name",
                              "name-lower", "name-spaced"])
def test_the_email_and_the_name_are_refused(password):
    with pytest.raises(PasswordPolicyError, match="email|name"):
        check_policy(password, email=EMAIL, name=NAME)


@pytest.mark.parametrize("password", [" " * 12, " " * 8 + "a", "\t \n" * 4, "\u3000" * 9],
                         ids=["spaces", "eight-spaces-and-a-letter", "mixed-whitespace",
                              "ideographic-space"])
def test_whitespace_does_not_count_towards_the_length(password):
    with pytest.raises(PasswordPolicyError, match="at least"):
        check_policy(password, email=EMAIL, name=NAME)


def test_a_good_passphrase_with_spaces_is_accepted():
    check_policy("purple tram at dawn", email=EMAIL, name=NAME)


def test_create_user_refuses_the_email_as_password(app):
    from webapp.cli import cli

    app.cli.add_command(cli.commands["create-user"], "create-user")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", EMAIL, "--role", "admin", "--password", EMAIL])
    assert result.exit_code != 0 and "email" in result.output.lower()
    result = runner.invoke(args=["create-user", EMAIL, "--role", "admin", "--name", NAME,
                                 "--password", "        a"])
    assert result.exit_code != 0 and "at least" in result.output
    result = runner.invoke(args=["create-user", EMAIL, "--role", "admin", "--password", "password1"])
    assert result.exit_code != 0 and "common" in result.output
    result = runner.invoke(args=["create-user", EMAIL, "--role", "admin",
                                 "--password", "purple tram at dawn"])
    assert result.exit_code == 0, result.output


def test_set_password_refuses_the_persons_own_email_and_name(app, make_person):
    from webapp.store import people

    person = make_person(role="rep", email=EMAIL, name=NAME)
    for bad in (EMAIL, NAME, " " * 8 + "a"):
        with pytest.raises(PasswordPolicyError):
            people.set_password(person, bad)
    with pytest.raises(PasswordPolicyError):
        people.create_person(email="x.y@example.test", name="Xavier Young", role="rep",
                             password="Xavier Young")
