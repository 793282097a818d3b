"""Counter and guide actions on tickets, and call-next.

A mixin of ``HallEngine`` (``kiosk.engine``): these methods use its config, store, views and
internals, and run inside its write transactions.
"""

from __future__ import annotations

from sqlalchemy import Connection, update

from kiosk import day_stats
from kiosk import queries as q
from kiosk import store as db
from kiosk.clerks import CLERK_ACTIONS, RECORDS_CLERK, clerk_actor
from kiosk.domain import HallError, State, check_transition
from kiosk.models import ActionRequest, Call, Ticket
from kiosk.queue_places import QueuePlaces


class TicketActions:
    """``act`` (call, recall, start, finish, no-show, hold, requeue, transfer, void, prioritize,
    reprint) and ``call_next`` (DESIGN.md §4)."""

    def act(self, ticket_id: str, action: str, req: ActionRequest | None = None, *,
            only_window: int | None = None) -> Ticket:
        """Apply a counter or guide action to a ticket; refuses illegal transitions.

        ``only_window``: the caller is that window's counter, which may not touch a ticket
        another window has called or holds (the server passes it from the counter's token).
        """
        req = req or ActionRequest()
        now = self.clock.now()
        # The action's event rows (its audit row, the call, ticket and queue events) are written
        # together at the end: 2 statements, not one each; nothing here reads them back.
        with self.store.write() as conn, db.event_rows(conn):
            self.views.forget_windows()  # a call, start, finish, hold or void changes a window's citizen
            row = self._row(conn, ticket_id)
            if only_window is not None and row["window"] not in (None, only_window):
                raise HallError("forbidden", f"ticket {row['number']} is at window {row['window']}; "
                                f"window {only_window}'s token may act only on its own window's tickets")
            state = State(row["state"])
            target = check_transition(state, action)
            # The clerk signed in at the acting window is recorded with a counter's action.
            acting = only_window if only_window is not None else req.window
            clerk = self.serving_clerk(conn, acting, action) if action in CLERK_ACTIONS else None
            changes = self._action_changes(conn, row, action, req, now)
            if clerk is not None and action in RECORDS_CLERK:
                changes["clerk"] = clerk
            changes_from = row["service"]
            new_state = target or state
            changes["state"] = new_state.value
            t = db.tickets
            conn.execute(update(t).where(t.c.id == ticket_id).values(**changes))
            day_stats.moved(conn, row["day"], (changes_from, state.value),
                            (changes.get("service", changes_from), new_state.value))
            if action == "finish":
                self.views.forget()  # the mean service time changed
            detail = {k: v for k, v in changes.items() if k in ("window", "service", "priority", "recalls")}
            self._record(conn, ticket_id, now, action, state, new_state, clerk_actor(req.actor, clerk), req.reason,
                         detail)
            # The stored row is the one read above with these changes: nothing else writes a
            # ticket's row (no trigger, no column default on update), so it is not read again.
            row = {**row, **changes}
            if action in ("call", "recall"):
                self._publish_call(conn, row, now)
            today = self.today()
            state = self.views.day_state(conn, today)
            ticket = self._publish_ticket(conn, now, row, state, waiting=_waiting(state, row, today))
            if action == "transfer":
                (entry,) = self._queue(conn, now, self.views.day_state(conn, today), only=changes_from)
                db.append_event(conn, now, "queue", entry.model_dump(mode="json"))
        self.feed.notify()
        return ticket

    def _action_changes(self, conn: Connection, row: dict, action: str, req: ActionRequest, now: float) -> dict:
        """The column changes an action makes, after checking its arguments."""
        policy = self.config.policy
        if action == "call":
            window = self._window_for(row, req, held=row["state"] == State.HELD.value)
            return {"window": window, "called_at": now, "recalls": 0}
        if action == "recall":
            self._same_window(row, req)
            if row["recalls"] >= policy.recall_limit:
                raise HallError("invalid_transition", f"ticket {row['number']} was already recalled "
                                f"{row['recalls']} times (limit {policy.recall_limit})",
                                {"state": row["state"]})
            return {"recalls": row["recalls"] + 1, "called_at": now}
        if action == "start":
            return {"started_at": now}
        if action == "finish":
            return {"finished_at": now, "started_at": row["started_at"] or row["called_at"] or now}
        if action in ("requeue", "transfer"):
            changes: dict = {"window": None, "recalls": 0}
            if now - row["arrival_at"] > policy.requeue_grace_minutes * 60:
                changes["arrival_at"] = now
            if action == "transfer":
                changes.update(self._transfer_changes(row, req))
            return changes
        if action == "prioritize":
            if not req.priority:
                raise HallError("validation_error", "prioritize needs a priority")
            service = self._service(row["service"])
            return {"priority": self._check_priority(service, req.priority), "overtaken": 0}
        return {}

    def _transfer_changes(self, row: dict, req: ActionRequest) -> dict:
        if not req.service:
            raise HallError("validation_error", "transfer needs the target service")
        target = self._service(req.service)
        if target.code == row["service"]:
            raise HallError("validation_error", f"ticket is already in service {target.code}")
        priority = row["priority"] if row["priority"] in target.priorities else "normal"
        return {"service": target.code, "priority": priority}

    def _window_for(self, row: dict, req: ActionRequest, held: bool) -> int:
        if req.window is None:
            raise HallError("validation_error", "call needs the window number")
        window = self.config.window(req.window)
        if window is None:
            raise HallError("unknown_window", f"no window {req.window}")
        if held and row["window"] != req.window:
            raise HallError("invalid_transition", f"ticket {row['number']} is held by window {row['window']}",
                            {"state": row["state"]})
        if row["service"] not in window.services:
            raise HallError("validation_error", f"window {req.window} does not serve {row['service']}")
        return req.window

    @staticmethod
    def _same_window(row: dict, req: ActionRequest) -> None:
        if req.window is not None and req.window != row["window"]:
            raise HallError("invalid_transition", f"ticket {row['number']} was called by window {row['window']}",
                            {"state": row["state"]})

    def call_next(self, window: int, actor: str = "") -> Call | None:
        """Call the best waiting ticket for ``window``; None when nobody waits."""
        config = self.config.window(window)
        if config is None:
            raise HallError("unknown_window", f"no window {window}")
        now = self.clock.now()
        with self.store.write() as conn, db.event_rows(conn):  # the event rows at the end, as in act
            if self.views.window_paused(conn, window):
                raise HallError("invalid_transition", f"window {window} is paused; resume it first",
                                {"state": "paused"})
            clerk = self.serving_clerk(conn, window, "call")
            places = QueuePlaces(conn, self.today(), self._ranks, now, self.config.policy.max_wait_minutes * 60)
            found = places.next_for(config.services, self.config.policy.priority_ratio)
            if found is None:
                return None
            chosen, service = found
            self.views.forget_windows()
            t = db.tickets
            if not chosen.is_normal:  # the normal tickets it overtakes, in one statement
                conn.execute(q.BUMP_OVERTAKEN, {
                    "b_day": self.today(), "b_services": config.services, "b_before": chosen.arrival_at,
                    "b_ranked": sorted(code for code, rank in self._ranks.items() if rank > 0)})
            clerk_column = {"clerk": clerk} if clerk is not None else {}
            conn.execute(update(t).where(t.c.id == chosen.id).values(
                state=State.CALLED.value, window=window, called_at=now, recalls=0, **clerk_column))
            day_stats.moved(conn, self.today(), (service, State.WAITING.value), (service, State.CALLED.value))
            self._record(conn, chosen.id, now, "call", State.WAITING, State.CALLED, clerk_actor(actor, clerk),
                         "call-next", {"window": window})
            row = self._row(conn, chosen.id)
            call = self._publish_call(conn, row, now)
            today = self.today()
            state = self.views.day_state(conn, today)
            self._publish_ticket(conn, now, row, state, waiting=_waiting(state, row, today))
        self.feed.notify()
        return call



def _waiting(state: dict, row: dict, today: str) -> int | None:
    """The waiting count of ``row``'s service from today's state, read in this write transaction
    after the change (so the same as its counter row); None for another day's ticket."""
    return state["waiting"].get(row["service"]) if row["day"] == today else None
