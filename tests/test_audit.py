"""The chained audit log: appends, verification, tampering detected."""

import json

import pytest

from kiosk.audit import AuditError, AuditLog


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


def test_edit_with_recomputed_sum_breaks_the_next_link(tmp_path):
    import hashlib

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
    assert (ok, bad) == (False, 3)


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
