"""Cost per path-month of two builds of gridrisk, side by side, alternating.

Runs the default preset in fresh subprocesses, one build after the other, ``--repeats`` times,
and prints the best wall time of each as nanoseconds per path-month and their ratio. The other
build is any importable gridrisk (a worktree of an older commit built in place), named by the
folder to put first on PYTHONPATH:

    git worktree add /tmp/base <commit> && (cd /tmp/base && cargo build --release --features python \\
        && cp target/release/libgridrisk.so python/gridrisk/_core.abi3.so)
    python bench/path_month.py --base /tmp/base/python --paths 20000 --threads 1

``--head`` names this build's folder the same way (a release build's library copied to
``python/gridrisk/_core.abi3.so``) instead of the installed gridrisk. ``--references`` runs the
preset in the references' scope instead (``speed.scenario()``, the one ``speed.py`` compares
with Numba). Each build's best and median are printed.

``--overrides JSON`` runs both builds on the preset changed by ``Scenario.replace`` with that
mapping of dotted field names to values (JSON ``null`` is ``None``: it removes an optional table);
``--base-overrides JSON`` changes the base run's scenario further. With ``--base`` and ``--head``
naming the same build, this compares two scenarios on one build, e.g. a mining fleet that is
built against the fixed fleet (the vintage bookkeeping's cost):

    python bench/path_month.py --base python --head python --paths 20000 \
        --overrides '{"mining.investment.rig_usd_per_th": 1.5}' \
        --base-overrides '{"mining.investment": null}'
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

RUN = """
import json, sys, time, gridrisk as gr
if {references!r}:
    sys.path.insert(0, {bench!r})
    import speed
    sc = speed.scenario().replace(json.loads({overrides!r}))
else:
    sc = gr.Scenario.preset("pakistan-2000mw").replace(json.loads({overrides!r}))
gr.simulate(sc, paths=512, seed=1, threads={threads}, progress=False)  # warm-up: pools, pages
t0 = time.perf_counter()
gr.simulate(sc, paths={paths}, seed=7, threads={threads}, progress=False)
dt = time.perf_counter() - t0
print(json.dumps({{"seconds": dt, "months": sc.months, "version": gr.__version__, "file": gr.__file__}}))
"""


def _once(
    pythonpath: str | None, paths: int, threads: int, overrides: dict[str, object], references: bool
) -> dict[str, float]:
    env = dict(os.environ)
    if pythonpath is not None:
        # The runs start in "/": a relative entry would silently import another gridrisk.
        pythonpath = os.path.abspath(pythonpath)
        env["PYTHONPATH"] = pythonpath
    else:
        env.pop("PYTHONPATH", None)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN.format(
                paths=paths,
                threads=threads,
                overrides=json.dumps(overrides),
                references=references,
                bench=os.path.dirname(os.path.abspath(__file__)),
            ),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
    )
    r = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    if pythonpath is not None and not str(r["file"]).startswith(pythonpath + os.sep):
        raise SystemExit(f"{pythonpath} did not provide gridrisk (imported {r['file']})")
    return r


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="PYTHONPATH entry of the other build")
    p.add_argument("--head", default=None, help="PYTHONPATH entry of this build (default: the installed gridrisk)")
    p.add_argument("--paths", type=int, default=20_000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--overrides", type=json.loads, default={}, help="JSON mapping for Scenario.replace, both runs")
    p.add_argument("--base-overrides", type=json.loads, default={}, help="JSON mapping applied after it, base run only")
    p.add_argument(
        "--references",
        action="store_true",
        help="the preset in the references' scope (speed.scenario(), the Numba comparison's) instead of the preset",
    )
    a = p.parse_args()
    scenarios = {"base": {**a.overrides, **a.base_overrides}, "head": a.overrides}
    runs: dict[str, list[float]] = {"base": [], "head": []}
    months = 0
    for _ in range(a.repeats):
        for name, path in (("base", a.base), ("head", a.head)):
            r = _once(path, a.paths, a.threads, scenarios[name], a.references)
            months = int(r["months"])
            runs[name].append(float(r["seconds"]))
            print(f"{name}: {r['seconds']:.2f} s ({r['file']})", flush=True)
    per = 1e9 / (a.paths * months)
    for name, secs in runs.items():
        print(
            f"{name}: best {min(secs):.2f} s = {min(secs) * per:,.0f} ns per path-month, "
            f"median {statistics.median(secs):.2f} s = {statistics.median(secs) * per:,.0f} ns"
        )
    best = min(runs["head"]) / min(runs["base"])
    median = statistics.median(runs["head"]) / statistics.median(runs["base"])
    print(
        f"head / base: {best:.2f}x best, {median:.2f}x median "
        f"({a.paths:_} paths, {a.threads} thread(s), {a.repeats} alternating runs)"
    )


if __name__ == "__main__":
    main()
