"""Runs the SecantusDB server the test suite talks to, with its TTL monitor off.

Usage: secantusdb-for-tests.py HOST PORT STORAGE_PATH  (run by scripts/test with the venv's python)

The tests run on fixed clocks, most of them in the past, while a TTL monitor deletes documents by
the server's own clock, once a minute: left on, it deletes the inbound keys a test has just
recorded at a random point of the run, and a replay is then answered twice. (Measured: with the
monitor sweeping every 0.2 s, six MongoDB tests failed in a run.) Expiry is exercised through
`Store::purge_inbound` at a test's own time instead. The daemon's command line has no switch for
the monitor, hence this launcher; everything else is the daemon's defaults.
"""

import logging
import signal
import sys

from secantus.server import SecantusDBServer


def main() -> None:
    host, port, storage_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = SecantusDBServer(host=host, port=port, storage_path=storage_path, ttl_sweep_seconds=0)

    def stop(_signum, _frame) -> None:
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    server.start()
    server.wait()


if __name__ == "__main__":
    main()
