"""``groundswell create-user``: an account that can log in (the first admin comes from here)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.models.org import ROLES

__all__ = ["create_user_command"]


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default=None, help="Display name (defaults to the part of the email before @).")
@click.password_option("--password", prompt="Password", help="Prompted for when not given.")
@with_appcontext
def create_user_command(email: str, role: str, name: str | None, password: str) -> None:
    """Create a user who can log in (the first admin comes from here)."""
    from webapp.infra.passwords import PasswordPolicyError
    from webapp.store import people
    from webapp.store.errors import StoreError

    try:
        person = people.create_person(email=email, name=name or email.split("@")[0], role=role,
                                      password=password)
    except (StoreError, PasswordPolicyError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {person.role} {person.email}.")
