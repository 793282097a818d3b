import tempfile, time, sys
from pathlib import Path
from bench.day_seed import seed_day, roomy_hall_file
from bench.bench_engine import SERVICES
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import open_engine
from kiosk.ticket_pages import page_query
n = int(sys.argv[1])
with tempfile.TemporaryDirectory() as d:
    cfg = roomy_hall_file(PROJECT_CONFIG_DIR / "hall.toml", Path(d) / "hall.toml")
    e = open_engine(cfg, Path(d) / "data", dev=True, keys=Path(d) / "keys")
    t = time.perf_counter(); seed_day(e, n, SERVICES); print("seed", n, time.perf_counter() - t)
    def best(f, k=15):
        ts = []
        for _ in range(k):
            t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1000)
        return min(ts), sorted(ts)[k // 2]
    print("page", best(lambda: e.tickets_page(limit=100)))
    with e.store.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(page_query(e.today(), None, None, None, None, 100))]
        print("query", best(lambda: [dict(r._mapping) for r in conn.execute(page_query(e.today(), None, None, None, None, 100))]))
        print("aheads", best(lambda: e._aheads(conn, rows[:100])))
        print("daystate", best(lambda: e.views.day_state(conn, e.today())))
        st = e.views.day_state(conn, e.today())
        print("views-only", best(lambda: [e.views.ticket(r, 1, 1) for r in rows[:100]]))
        for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE day='x' AND service='GC01' AND state='waiting' AND (in_slot IS 1 OR priority IN ('elderly'))"): print(row)
    e.store.close()
