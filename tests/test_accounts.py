"""The web console's personal accounts (kiosk.accounts) and ``kiosk accounts``: hashed
passwords, weak ones refused, a lockout kept in hall.db across a restart, the audit trail."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from app.cli import main
from kiosk import store as db
from kiosk.accounts import (
    LOCKOUT_S,
    MAX_FAILURES,
    AccountError,
    add_account,
    disable_account,
    find_account,
    list_accounts,
    password_problem,
    set_password,
    sign_in,
)
from kiosk.console import sessions
from kiosk.pins import verify_pin
from kiosk.store import Store

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)

GOOD = "correct horse battery"


def _audit(store: Store, subject: str) -> list[tuple[str, str, dict]]:
    e = db.ticket_events
    with store.read() as conn:
        rows = conn.execute(select(e.c.action, e.c.actor, e.c.detail).where(e.c.ticket_id == subject)
                            .order_by(e.c.id)).all()
    return [(r.action, r.actor, json.loads(r.detail)) for r in rows]


def _hash_of(store: Store, name: str) -> str:
    with store.read() as conn:
        return conn.execute(select(db.accounts.c.password_hash).where(db.accounts.c.name == name)).scalar()


def test_a_password_is_kept_only_as_its_scrypt_hash(engine, clock):
    add_account(engine.store, "lihua", "李华", "director", GOOD, clock.now(), actor="test")
    stored = _hash_of(engine.store, "lihua")
    assert stored.startswith("scrypt$") and GOOD not in stored
    assert verify_pin(GOOD, stored) and not verify_pin(GOOD + "x", stored)
    add_account(engine.store, "wang", "王", "guide", GOOD, clock.now(), actor="test")
    assert _hash_of(engine.store, "wang") != stored  # a salt of its own
    assert [a.name for a in list_accounts(engine.store, clock.now())] == ["lihua", "wang"]


@pytest.mark.parametrize(("password", "words"), [
    ("short1!", "at least 10"),
    ("password123", "easy to guess"),
    ("aaaaaaaaaaaa", "easy to guess"),
    ("1234567890", "easy to guess"),
    ("abcdefghijkl", "run"),
    ("lihua-is-great", "user name"),
])
def test_weak_passwords_are_refused_with_the_reason(engine, clock, password, words):
    assert words in password_problem(password, "lihua")
    with pytest.raises(AccountError) as refused:
        add_account(engine.store, "lihua", "李华", "director", password, clock.now(), actor="test")
    assert refused.value.code == "weak_password" and words in refused.value.message
    assert find_account(engine.store, "lihua", clock.now()) is None


def test_names_roles_and_taken_names_are_checked(engine, clock):
    for name, role in (("a b", "guide"), ("../x", "guide"), ("ok.name", "boss")):
        with pytest.raises(AccountError):
            add_account(engine.store, name, "X", role, GOOD, clock.now(), actor="test")
    add_account(engine.store, "lihua", "李华", "director", GOOD, clock.now(), actor="test")
    with pytest.raises(AccountError, match="taken"):
        add_account(engine.store, "lihua", "别人", "guide", GOOD, clock.now(), actor="test")


def test_five_wrong_passwords_lock_the_account_also_after_a_restart(engine, clock, hall_db):
    add_account(engine.store, "lihua", "李华", "director", GOOD, clock.now(), actor="test")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccountError) as wrong:
            sign_in(engine.store, "lihua", "wrong password!", clock.now())
        assert wrong.value.code == "wrong_password"
    with pytest.raises(AccountError) as locked:
        sign_in(engine.store, "lihua", "wrong password!", clock.now())
    assert locked.value.code == "locked" and locked.value.seconds == LOCKOUT_S
    engine.store.close()

    reopened = Store(hall_db)  # the server restarted: the lock is in the database
    clock.advance(LOCKOUT_S - 10)
    with pytest.raises(AccountError) as still:
        sign_in(reopened, "lihua", GOOD, clock.now())  # even the right password waits
    assert still.value.code == "locked" and "1 more minute" in still.value.message
    assert find_account(reopened, "lihua", clock.now()).locked_seconds == 10
    clock.advance(11)
    assert sign_in(reopened, "lihua", GOOD, clock.now()).role == "director"
    with pytest.raises(AccountError) as counting_again:  # the count started over
        sign_in(reopened, "lihua", "wrong password!", clock.now())
    assert counting_again.value.code == "wrong_password"


def test_every_change_and_sign_in_is_audited_with_who(engine, clock):
    store = engine.store
    add_account(store, "lihua", "李华", "director", GOOD, clock.now(), actor="kiosk accounts add")
    sign_in(store, "lihua", GOOD, clock.now(), source="10.0.0.7")
    with pytest.raises(AccountError):
        sign_in(store, "lihua", "not the password", clock.now(), source="10.0.0.7")
    set_password(store, "lihua", "a new long passphrase", clock.now(), actor="console admin")
    disable_account(store, "lihua", clock.now(), actor="kiosk accounts disable")
    with pytest.raises(AccountError) as disabled:
        sign_in(store, "lihua", "a new long passphrase", clock.now())
    assert disabled.value.code == "disabled"
    trail = _audit(store, "account:lihua")
    assert [(a, who) for a, who, _ in trail] == [
        ("account-add", "kiosk accounts add"), ("sign-in", "console lihua"), ("sign-in-failed", "console lihua"),
        ("account-password", "console admin"), ("account-disable", "kiosk accounts disable"),
        ("sign-in-failed", "console lihua")]
    assert trail[1][2] == {"from": "10.0.0.7"} and trail[-1][2]["disabled"] is True
    assert "not the password" not in json.dumps(trail) and "a new long" not in json.dumps(trail)


def test_an_unknown_name_is_audited_without_what_was_typed(engine, clock):
    typed = "110101199003077777"  # someone typed an ID number into the name field
    with pytest.raises(AccountError) as wrong:
        sign_in(engine.store, typed, GOOD, clock.now())
    assert wrong.value.code == "wrong_password"  # the same refusal as a wrong password
    assert _audit(engine.store, "account:?")[0][:2] == ("sign-in-failed", "console")
    with engine.store.read() as conn:
        assert all(typed not in " ".join(map(str, row)) for row in conn.execute(select(db.ticket_events)).all())


def test_disabling_or_a_new_password_ends_the_accounts_sessions(engine, clock):
    account = add_account(engine.store, "lihua", "李华", "director", GOOD, clock.now(), actor="test")
    first = sessions.start(engine.store, account, clock.now())
    set_password(engine.store, "lihua", "another long phrase", clock.now(), actor="test")
    assert sessions.find(engine.store, first, clock.now()) is None
    second = sessions.start(engine.store, account, clock.now())
    assert sessions.find(engine.store, second, clock.now()).account.name == "lihua"
    disable_account(engine.store, "lihua", clock.now(), actor="test")
    assert sessions.find(engine.store, second, clock.now()) is None


# -- kiosk accounts ----------------------------------------------------------------------------

def _run(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_adds_lists_changes_and_disables_accounts(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "server")
    code, out, _ = _run(monkeypatch, capsys, "accounts", "add", "lihua", "--display", "李华", "--role", "director",
                        "--password-stdin", "--data", data, stdin=GOOD + "\n")
    assert code == 0 and "added" in out
    store = Store(tmp_path / "server" / "hall.db")
    assert verify_pin(GOOD, _hash_of(store, "lihua"))

    code, _, err = _run(monkeypatch, capsys, "accounts", "add", "wang", "--display", "王", "--role", "guide",
                        "--password-stdin", "--data", data, stdin="tooshort\n")
    assert code == 1 and "at least 10 characters" in err

    code, out, _ = _run(monkeypatch, capsys, "accounts", "list", "--data", data)
    assert code == 0 and "lihua" in out and "director" in out and "active" in out and "scrypt" not in out

    code, out, _ = _run(monkeypatch, capsys, "accounts", "password", "lihua", "--password-stdin", "--data", data,
                        stdin="a different passphrase\n")
    assert code == 0 and verify_pin("a different passphrase", _hash_of(store, "lihua"))

    code, out, _ = _run(monkeypatch, capsys, "accounts", "disable", "lihua", "--data", data)
    assert code == 0 and "disabled" in out
    code, out, _ = _run(monkeypatch, capsys, "accounts", "list", "--data", data)
    assert "disabled" in out
    code, _, err = _run(monkeypatch, capsys, "accounts", "disable", "nobody", "--data", data)
    assert code == 1 and "no account named 'nobody'" in err
    assert [a for a, _, _ in _audit(store, "account:lihua")] == ["account-add", "account-password", "account-disable"]


def test_the_cli_asks_the_password_twice(tmp_path, monkeypatch, capsys):
    answers = iter(["first passphrase", "second passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))  # the terminal
    code, _, err = _run(monkeypatch, capsys, "accounts", "add", "lihua", "--display", "李华", "--role", "it",
                        "--data", str(tmp_path))
    assert code == 1 and "the two passwords differ" in err
    assert list_accounts(Store(tmp_path / "hall.db"), 0) == []
