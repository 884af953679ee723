"""A watch outlives a server restart: it reconnects, starts again from a fresh
snapshot, and still ends with the sweep."""

import hpsearch

from conftest import start_server, unique
from specs import external


def test_a_watch_reconnects_across_a_server_restart(tmp_path_factory):
    server = start_server(tmp_path_factory, workers=0)
    try:
        with hpsearch.Client(server.address) as c:
            s = c.submit(external(unique("watch-restart"), trials=2))
            events = s.watch()
            assert next(events).kind == "snapshot"
            server.stop()
            server.start()  # the same port and database
            first = s.ask()
            after = next(events)  # the old stream is gone: a new one's snapshot
            assert after.kind == "snapshot" and after.sweep.counts.running == 1
            assert first.tell(loss=1.0)
            second = s.ask()
            assert second.tell(loss=0.5)
            rest = list(events)
            assert rest[-1].kind == "end" and rest[-1].sweep.counts.completed == 2
            assert rest[-1].sweep.best_trial == second.number
    finally:
        server.stop()
