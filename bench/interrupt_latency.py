"""Ctrl-C latency: seconds from SIGINT to KeyboardInterrupt during a long gridrisk run.

Usage: python bench/interrupt_latency.py [--repeats 10]

Each repeat starts a run of the default preset that would take many minutes, sends SIGINT to
the process after a random delay, and records how long `simulate` takes to raise
KeyboardInterrupt. It then checks that the interpreter is still usable with a small run.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import threading
import time

import gridrisk as gr


def once(sc: gr.Scenario, delay: float) -> float:
    sent: list[float] = []

    def fire() -> None:
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(delay, fire)
    timer.start()
    try:
        gr.simulate(sc, paths=500_000_000, seed=1, progress=False)
    except KeyboardInterrupt:
        return time.perf_counter() - sent[0]
    finally:
        timer.cancel()
    raise RuntimeError("the run finished before the interrupt")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    sc = gr.Scenario.preset("pakistan-2000mw")
    rng = random.Random(0)
    lat = [once(sc, rng.uniform(0.3, 1.0)) for _ in range(args.repeats)]
    assert gr.simulate(sc, paths=256, seed=1, progress=False).paths == 256
    print(f"gridrisk {gr.__version__}, threads={gr.thread_pool_size()}, repeats={len(lat)}")
    print(
        f"SIGINT -> KeyboardInterrupt latency: median {statistics.median(lat) * 1e3:.0f} ms, "
        f"max {max(lat) * 1e3:.0f} ms"
    )


if __name__ == "__main__":
    main()
