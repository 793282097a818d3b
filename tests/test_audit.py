"""The chained audit log: appends, verification, tampering detected, the key kept apart."""

import hashlib
import json
import os
import stat

import pytest

from kiosk.audit import KEY_ENV, AuditError, AuditLog

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)


@pytest.fixture(autouse=True)
def audit_key(tmp_path, monkeypatch):
    """Each test's own key file, outside the folders its logs are in."""
    path = tmp_path / "config" / "audit.key"
    monkeypatch.setenv(KEY_ENV, str(path))
    return path


def _canon(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _plain_rewrite(path, edit) -> None:
    """Rewrite the log as a forger without the key would: ``edit`` each entry, then recompute
    every plain SHA-256 sum and link, and the head to match."""
    prev, out = "0" * 64, []
    for raw in path.read_text().splitlines():
        entry = json.loads(raw)
        entry.pop("sum")
        entry.pop("alg", None)
        edit(entry)
        entry["prev"] = prev
        entry["sum"] = hashlib.sha256(_canon(entry).encode()).hexdigest()
        line = _canon(entry)
        out.append(line)
        prev = hashlib.sha256(line.encode()).hexdigest()
    path.write_text("\n".join(out) + "\n")
    path.with_name(path.name + ".head").write_text(json.dumps({"lines": len(out), "last": prev}))


def _fill(path, n=5):
    log = AuditLog(path)
    for i in range(n):
        log.append(actor="staff", action="void", ticket=f"A{i:03d}", reason="citizen_left",
                   detail={"i": i})
    return log


def test_append_and_verify(tmp_path):
    log = _fill(tmp_path / "audit.jsonl")
    assert tuple(log.verify()) == (True, None)
    entries = log.entries()
    assert [e["ticket"] for e in entries] == ["A000", "A001", "A002", "A003", "A004"]
    assert {"at", "actor", "action", "ticket", "reason", "prev", "sum"} <= set(entries[0])


def test_reopened_log_continues_the_chain(tmp_path):
    _fill(tmp_path / "audit.jsonl", 2)
    AuditLog(tmp_path / "audit.jsonl").append(actor="tech", action="settings", reason="x")
    result = AuditLog(tmp_path / "audit.jsonl").verify()
    assert result.ok and result.lines == 3


def test_edited_line_is_found(tmp_path):
    path = tmp_path / "audit.jsonl"
    _fill(path)
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("A002", "A999")
    path.write_text("\n".join(lines) + "\n")
    ok, bad = AuditLog(path).verify()
    assert (ok, bad) == (False, 3)


def test_edit_with_recomputed_sum_is_found(tmp_path):
    path = tmp_path / "audit.jsonl"
    _fill(path)
    lines = path.read_text().splitlines()
    entry = json.loads(lines[1])
    entry.pop("sum")
    entry["reason"] = "forged"
    canon = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    entry["sum"] = hashlib.sha256(canon.encode()).hexdigest()
    lines[1] = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n")
    ok, bad = AuditLog(path).verify()
    assert (ok, bad) == (False, 2)  # a plain sum is not the keyed one: found on the line itself


def test_deleted_line_is_found(tmp_path):
    path = tmp_path / "audit.jsonl"
    _fill(path)
    lines = path.read_text().splitlines()
    del lines[1]
    path.write_text("\n".join(lines) + "\n")
    result = AuditLog(path).verify()
    assert not result.ok and result.first_bad_line == 2


def test_garbage_line_is_found(tmp_path):
    path = tmp_path / "audit.jsonl"
    _fill(path, 2)
    with open(path, "a") as fh:
        fh.write("not json\n")
    assert tuple(AuditLog(path).verify()) == (False, 3)


def test_full_id_number_is_refused(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(AuditError):
        log.append(actor="staff", action="reprint", reason="x", detail={"id": "11010519491231002X"})
    log.append(actor="staff", action="reprint", reason="x", detail={"id": "1101**********002X"})
    assert AuditLog(tmp_path / "audit.jsonl").verify().lines == 1


def test_each_append_is_on_disk(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.append(actor="staff", action="pause", reason="r")
    assert len(path.read_bytes().splitlines()) == 1


def test_lines_cut_off_the_end_are_found(tmp_path):
    path = tmp_path / "audit.jsonl"
    _fill(path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:3]) + "\n")
    result = AuditLog(path).verify()
    assert not result.ok and result.first_bad_line == 4 and "cut off the end" in result.problem


def test_whole_log_rewritten_with_a_valid_chain_is_found(tmp_path):
    path = tmp_path / "audit.jsonl"
    _fill(path, 3)
    forger = AuditLog(tmp_path / "forged" / "audit.jsonl")  # a valid chain of its own
    for i in range(3):
        forger.append(actor="staff", action="void", ticket=f"A{i:03d}", reason="forged")
    assert forger.verify().ok
    path.write_bytes(forger.path.read_bytes())
    result = AuditLog(path).verify()
    assert not result.ok and "rewritten" in result.problem


def test_head_file_removed_is_found(tmp_path):
    path = tmp_path / "audit.jsonl"
    _fill(path, 2)
    (tmp_path / "audit.jsonl.head").unlink()
    result = AuditLog(path).verify()
    assert not result.ok and "head file is missing" in result.problem


def test_crash_between_line_and_head_is_accepted(tmp_path):
    path = tmp_path / "audit.jsonl"
    _fill(path, 2)
    head = (tmp_path / "audit.jsonl.head").read_text()
    AuditLog(path).append(actor="staff", action="pause", reason="r")
    (tmp_path / "audit.jsonl.head").write_text(head)  # as if the process died before the head
    assert AuditLog(path).verify().ok
    AuditLog(path).append(actor="staff", action="resume", reason="r")
    assert AuditLog(path).verify().ok and AuditLog(path).verify().lines == 4


def test_a_log_rewritten_with_recomputed_plain_sums_and_head_fails(tmp_path):
    path = tmp_path / "logs" / "audit.jsonl"
    _fill(path)
    _plain_rewrite(path, lambda entry: entry.update(reason="forged"))
    result = AuditLog(path).verify()
    assert not result.ok and "audit key" in result.problem


def test_a_keyed_log_rewritten_without_the_key_fails_even_keeping_alg(tmp_path):
    path = tmp_path / "logs" / "audit.jsonl"
    _fill(path, 3)
    lines = [json.loads(raw) for raw in path.read_text().splitlines()]
    lines[0]["reason"] = "forged"  # the forger cannot compute the HMAC: any sum they write is wrong
    lines[0]["sum"] = hashlib.sha256(b"guess").hexdigest()
    path.write_text("\n".join(_canon(e) for e in lines) + "\n")
    assert tuple(AuditLog(path).verify()) == (False, 1)


def test_the_key_is_created_owner_only_outside_the_log_folder(tmp_path, audit_key):
    _fill(tmp_path / "logs" / "audit.jsonl", 1)
    assert audit_key.is_file() and stat.S_IMODE(audit_key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(audit_key.read_text().strip())) == 32
    assert not list((tmp_path / "logs").glob("*key*"))


def test_a_missing_key_for_an_existing_log_is_an_error_not_a_new_key(tmp_path, audit_key):
    path = tmp_path / "logs" / "audit.jsonl"
    _fill(path, 2)
    audit_key.unlink()
    result = AuditLog(path).verify()
    assert not result.ok and "is missing" in result.problem
    with pytest.raises(AuditError, match="put the key file back"):
        AuditLog(path).append(actor="staff", action="pause", reason="r")
    assert not audit_key.exists()


def test_another_key_does_not_verify_the_log(tmp_path, audit_key):
    path = tmp_path / "logs" / "audit.jsonl"
    _fill(path, 2)
    audit_key.write_text(os.urandom(32).hex())
    assert tuple(AuditLog(path).verify()) == (False, 1)


def test_a_key_in_the_log_folder_is_refused(tmp_path):
    path = tmp_path / "logs" / "audit.jsonl"
    log = AuditLog(path, key_path=tmp_path / "logs" / "audit.key")
    with pytest.raises(AuditError, match="must not be in the log's folder"):
        log.append(actor="staff", action="pause", reason="r")


def test_an_old_unkeyed_log_is_read_and_keyed_from_its_next_entry(tmp_path):
    path = tmp_path / "logs" / "audit.jsonl"
    _fill(path, 3)
    _plain_rewrite(path, lambda entry: None)  # what a log from before the key looks like
    before = AuditLog(path).verify()
    assert not before.ok and "before the audit key" in before.problem
    AuditLog(path).append(actor="staff", action="pause", reason="r")
    result = AuditLog(path).verify()
    assert result.ok and result.lines == 4
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace("A001", "A777")  # the old lines are pinned by the keyed one now
    path.write_text("\n".join(lines) + "\n")
    assert not AuditLog(path).verify().ok
