import tempfile, time, cProfile, pstats
from pathlib import Path
from bench.day_seed import seed_day, roomy_hall_file
from bench.bench_engine import SERVICES
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import open_engine
with tempfile.TemporaryDirectory() as d:
    cfg = roomy_hall_file(PROJECT_CONFIG_DIR / "hall.toml", Path(d) / "hall.toml")
    e = open_engine(cfg, Path(d) / "data", dev=True, keys=Path(d) / "keys")
    pr = cProfile.Profile(); pr.enable()
    seed_day(e, 2000, SERVICES)
    pr.disable(); pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
    e.tickets_page(limit=100)
    pr = cProfile.Profile(); pr.enable()
    for i in range(5): e.tickets_page(limit=100)
    pr.disable(); pstats.Stats(pr).sort_stats("cumulative").print_stats(20)
    e.store.close()
