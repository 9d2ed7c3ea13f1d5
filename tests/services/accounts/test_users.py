"""Users: made by admins with a strong enough password, one per email, signing in only while
active; the list of users is for admins."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Role, User
from catalogue.services.accounts import sessions
from catalogue.services.accounts import users as accounts
from catalogue.services.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from catalogue.services.identity import ANONYMOUS
from tests.services.builders import ADMIN, CURATOR, RESEARCHER, refused

RULES = sessions.SessionRules()

PASSWORD = "correct horse battery staple"


def new_user(email: str, role: str = "curator", password: str | None = PASSWORD) -> str:
    """Create a user as an admin; returns the email as stored."""
    stored = accounts.create_user(ADMIN, email, role, password).email
    db.session.remove()
    return stored


def emails() -> list[str]:
    found = list(db.session.execute(sa.select(User.email).order_by(User.email)).scalars())
    db.session.remove()
    return found


def signs_in(email: str, password: str) -> str | None:
    """The email of the user the password opens, or None."""
    user = accounts.verify_password(email, password)
    found = user.email if user else None
    db.session.remove()
    return found


def test_a_weak_password_is_refused_and_no_user_is_made(ctx):
    with refused(ValidationFailed) as caught:
        accounts.create_user(ADMIN, "curator@museum.example", "curator", "short pass1")
    assert list(caught.value.errors) == ["password"]
    assert emails() == []
    # Twelve characters are enough.
    assert new_user("curator@museum.example", password="twelve chars") == "curator@museum.example"
    assert signs_in("curator@museum.example", "twelve chars") == "curator@museum.example"


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("not an address", "curator", "email"), ("x@museum.example", "director", "role")],
)
def test_a_bad_email_or_role_is_refused(ctx, email, role, field):
    with refused(ValidationFailed) as caught:
        accounts.create_user(ADMIN, email, role, PASSWORD)
    assert list(caught.value.errors) == [field]
    assert emails() == []


def test_an_email_is_taken_once_whatever_its_case(ctx):
    assert new_user("  Marie.Curie@Museum.example ") == "marie.curie@museum.example"
    with refused(Conflict):
        accounts.create_user(ADMIN, "marie.curie@museum.example", "researcher", PASSWORD)
    with refused(Conflict):
        accounts.create_user(ADMIN, "MARIE.CURIE@MUSEUM.EXAMPLE", "admin")
    assert emails() == ["marie.curie@museum.example"]
    assert accounts.find_user("marie.curie@museum.example").role == Role.curator


@pytest.mark.parametrize(("identity", "error"), [(CURATOR, Forbidden), (ANONYMOUS, Unauthorized)])
def test_only_admins_create_users(ctx, identity, error):
    with refused(error):
        accounts.create_user(identity, "someone@museum.example", "admin", PASSWORD)
    assert emails() == []


def test_the_right_password_signs_in_a_wrong_one_or_an_unknown_email_does_not(ctx):
    email = new_user("curator@museum.example")
    assert signs_in("Curator@Museum.example", PASSWORD) == email
    assert accounts.find_user(email).last_login_at is not None
    db.session.remove()
    assert signs_in(email, PASSWORD + "!") is None
    assert signs_in(email, "") is None
    assert signs_in("nobody@museum.example", PASSWORD) is None
    # A user made without a password (API tokens only) never signs in to the pages.
    tokens_only = new_user("harvester@museum.example", "researcher", password=None)
    assert signs_in(tokens_only, "") is None
    assert signs_in(tokens_only, PASSWORD) is None


def test_the_stored_password_is_a_hash(ctx):
    email = new_user("curator@museum.example")
    stored = accounts.find_user(email).password_hash
    db.session.remove()
    assert PASSWORD not in stored and stored.startswith("$argon2")


def test_a_deactivated_user_cannot_sign_in_until_reactivated(ctx):
    email = new_user("curator@museum.example")
    user = accounts.find_user(email)
    user_id = user.id
    key = sessions.start(user, RULES)
    db.session.commit()
    db.session.remove()
    accounts.update_user(ADMIN, user_id, active=False)
    db.session.remove()
    assert signs_in(email, PASSWORD) is None
    assert sessions.resolve(key, RULES) is None  # a session of theirs ends too
    accounts.update_user(ADMIN, user_id, active=True)
    db.session.remove()
    assert signs_in(email, PASSWORD) == email
    assert sessions.resolve(key, RULES) is None  # reactivation brings no session back


def test_an_admin_changes_roles_of_others_but_not_their_own(ctx):
    admin_email = new_user("admin@museum.example", "admin")
    other = new_user("curator@museum.example")
    admin = accounts.identity_of(accounts.find_user(admin_email))
    other_id = accounts.find_user(other).id
    db.session.remove()
    assert accounts.update_user(admin, other_id, role="researcher").role == Role.researcher
    db.session.remove()
    with refused(Conflict):
        accounts.update_user(admin, admin.user_id, active=False)
    with refused(Conflict):
        accounts.update_user(admin, admin.user_id, role="curator")
    with refused(ValidationFailed):
        accounts.update_user(admin, other_id, role="director")
    assert signs_in(admin_email, PASSWORD) == admin_email
    assert accounts.find_user(other).role == Role.researcher


@pytest.mark.parametrize(
    ("identity", "error"),
    [(CURATOR, Forbidden), (RESEARCHER, Forbidden), (ANONYMOUS, Unauthorized)],
)
def test_only_admins_list_users(ctx, identity, error):
    new_user("curator@museum.example")
    with refused(error):
        accounts.list_users(identity)


def test_admins_list_every_user_by_email(ctx):
    for email, role in [("zoe@museum.example", "researcher"), ("adam@museum.example", "admin")]:
        new_user(email, role)
    new_user("marc@museum.example", password=None)
    listed = [(user.email, user.role) for user in accounts.list_users(ADMIN)]
    db.session.remove()
    assert listed == [
        ("adam@museum.example", Role.admin),
        ("marc@museum.example", Role.curator),
        ("zoe@museum.example", Role.researcher),
    ]
