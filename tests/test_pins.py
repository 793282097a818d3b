"""PIN hashes and the PIN gate (fake clock)."""

import pytest

from kiosk.pins import (
    DEV_PINS,
    PinGate,
    PinHashError,
    PinLocked,
    hash_pin,
    parse_pin_hash,
    verify_pin,
)

FAST = {"n": 2**10, "r": 8, "p": 1}  # cheap cost for tests; the format is the same


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_hash_is_self_describing_and_salted():
    a, b = hash_pin("1234", **FAST), hash_pin("1234", **FAST)
    assert a != b  # fresh salt each time
    assert a.startswith("scrypt$1024$8$1$")
    n, r, p, salt, digest = parse_pin_hash(a)
    assert (n, r, p, len(salt), len(digest)) == (1024, 8, 1, 16, 32)


def test_verify_right_and_wrong_pin():
    stored = hash_pin("2468", **FAST)
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert not verify_pin("", stored)


def test_default_cost_hash_verifies():
    stored = hash_pin("9999")
    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_pin("9999", stored) and not verify_pin("9998", stored)


@pytest.mark.parametrize("bad", ["", "bcrypt$1$2$3$4$5", "scrypt$1000$8$1$AAAAAAAAAAA=$AAAA",
                                 "scrypt$1024$8$1$!!$AAAA", "scrypt$4194304$8$1$AAAAAAAAAAA=$AAAA"])
def test_malformed_hash_is_a_typed_error(bad):
    with pytest.raises(PinHashError):
        verify_pin("1234", bad)


@pytest.mark.parametrize("pin", ["12", "abcd", "1234567890123"])
def test_bad_pins_are_refused_when_hashing(pin):
    with pytest.raises(ValueError):
        hash_pin(pin, **FAST)


def test_gate_returns_the_role_the_pin_opens():
    gate = PinGate({"staff": hash_pin("1111", **FAST), "tech": hash_pin("2222", **FAST)})
    assert gate.check("1111") == "staff"
    assert gate.check("2222") == "tech"
    assert gate.check("2222", roles=("staff",)) is None
    assert gate.check("3333") is None


def test_five_wrong_pins_lock_for_five_minutes():
    clock = Clock()
    gate = PinGate({"staff": hash_pin("1111", **FAST)}, clock=clock)
    for _ in range(4):
        assert gate.check("0000") is None
    assert gate.locked_for() == 0
    assert gate.check("0000") is None  # the fifth
    assert gate.locked_for() == pytest.approx(300)
    with pytest.raises(PinLocked):
        gate.check("1111")  # even the right PIN is refused while locked
    clock.t += 299
    with pytest.raises(PinLocked) as err:
        gate.check("1111")
    assert err.value.remaining == pytest.approx(1)
    clock.t += 1
    assert gate.check("1111") == "staff"


def test_success_resets_the_count():
    gate = PinGate({"staff": hash_pin("1111", **FAST)}, clock=Clock())
    for _ in range(4):
        gate.check("0000")
    assert gate.check("1111") == "staff"
    for _ in range(4):
        gate.check("0000")
    assert gate.locked_for() == 0


def test_dev_pins_only_in_dev_mode_with_empty_hashes():
    assert PinGate({"staff": "", "tech": ""}, dev=True).check(DEV_PINS["staff"]) == "staff"
    assert PinGate({"staff": "", "tech": ""}, dev=True).check(DEV_PINS["tech"]) == "tech"
    assert PinGate({"staff": "", "tech": ""}, dev=False).check(DEV_PINS["staff"]) is None
    with_hash = PinGate({"staff": hash_pin("5555", **FAST), "tech": ""}, dev=True)
    assert with_hash.check(DEV_PINS["staff"]) is None  # a configured hash wins over the dev PIN
    assert with_hash.dev_pins_active
    assert not PinGate({"staff": hash_pin("5555", **FAST)}, dev=True).dev_pins_active


def test_malformed_configured_hash_opens_nothing():
    gate = PinGate({"staff": "scrypt$garbage"})
    assert gate.check("1234") is None


def test_a_lock_survives_a_restart(tmp_path):
    clock, state = Clock(), tmp_path / "data" / "pin-lockout.json"
    stored = {"staff": hash_pin("1111", **FAST)}
    first = PinGate(stored, clock=clock, state_path=state)
    for _ in range(5):
        first.check("0000")
    assert first.locked_for() == pytest.approx(300)
    clock.t += 100
    restarted = PinGate(stored, clock=clock, state_path=state)  # the kiosk was restarted
    with pytest.raises(PinLocked) as err:
        restarted.check("1111")
    assert err.value.remaining == pytest.approx(200)
    clock.t += 200
    assert restarted.check("1111") == "staff"


def test_the_failure_count_survives_a_restart_and_is_shared(tmp_path):
    clock, state = Clock(), tmp_path / "pin-lockout.json"
    stored = {"staff": hash_pin("1111", **FAST)}
    first, second = (PinGate(stored, clock=clock, state_path=state) for _ in range(2))
    for _ in range(3):
        assert first.check("0000") is None
    assert second.check("0000") is None  # the fourth, counted on the same file
    assert first.check("0000") is None  # the fifth locks both
    assert second.locked_for() == pytest.approx(300) and first.locked_for() == pytest.approx(300)


def test_a_damaged_lockout_file_locks_rather_than_resets(tmp_path):
    clock, state = Clock(), tmp_path / "pin-lockout.json"
    state.write_text('{"failures": 4, "locked_un')  # cut off mid-write by a failing disk
    gate = PinGate({"staff": hash_pin("1111", **FAST)}, clock=clock, state_path=state)
    with pytest.raises(PinLocked):
        gate.check("1111")
    clock.t += 300
    assert gate.check("1111") == "staff"  # the fail-safe lock has an end


def test_a_wall_clock_set_back_locks_no_longer_than_one_lockout(tmp_path):
    clock, state = Clock(), tmp_path / "pin-lockout.json"
    gate = PinGate({"staff": hash_pin("1111", **FAST)}, clock=clock, state_path=state)
    for _ in range(5):
        gate.check("0000")
    clock.t -= 3600
    assert gate.locked_for() == pytest.approx(300)
    clock.t += 300
    assert gate.check("1111") == "staff"
