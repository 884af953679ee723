#!/usr/bin/env python3
"""The dashboard in a real browser (Debian's headless chromium through selenium).

usage: dashboard_test.py BIN_DIR [SCREENSHOT_DIR]

Starts a real hpsearch-server with --http and --token on 127.0.0.1, runs sweeps with
the real CLI, signs in through the login form, opens every page and checks: no
console errors, each plot has as many points as the API says, sorting and filtering
the trial table, a trial that finishes appears within 3 s without a reload, and the
token is required: the login gives the browser a session cookie (never the token),
sends it only to paths of this site (the audit's next=/%09/evil.example/x), and
"sign out" ends the session. And what a newcomer from optuna-dashboard or W&B looks
for: a title on every chart, the parallel coordinates' colour legend (pruned trials off
its scale), learning curves of every trial with a selector (downsampled on a large
sweep), the spec and labels, duration and epochs columns, numbers as the CLI prints
them (1.992e-06). With SCREENSHOT_DIR, saves a screenshot of each page there
(scripts/screenshots.sh: docs/img/).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BIN = sys.argv[1]
SHOTS = sys.argv[2] if len(sys.argv) > 2 else ""
TOKEN = "dashboard-test-token"
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def wait_for(predicate, seconds, what):
    until = time.time() + seconds
    while time.time() < until:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    check(False, what)
    return None


work = tempfile.mkdtemp(prefix="hpsearch-dashboard-")
os.makedirs(os.path.join(work, "code"))
with open(os.path.join(work, "code", "talk.sh"), "w") as f:
    f.write("#!/bin/sh\ni=1\nwhile [ $i -le 6 ]; do\n  echo \"line $i <b>bold</b>\"\n  echo \"warn $i\" >&2\n"
            "  echo \"hpsearch: epoch=$i loss=$i\"\n  sleep 0.3\n  i=$((i + 1))\ndone\n")
os.chmod(os.path.join(work, "code", "talk.sh"), 0o755)
port_file, http_port_file = os.path.join(work, "port"), os.path.join(work, "http-port")
server = subprocess.Popen(
    [f"{BIN}/hpsearch-server", "--listen", "127.0.0.1:0", "--port-file", port_file, "--http", "127.0.0.1:0",
     "--http-port-file", http_port_file, "--db", os.path.join(work, "d.db"), "--workers", "1", "--token", TOKEN,
     "--commands", os.path.join(work, "code")],
    stderr=open(os.path.join(work, "server.log"), "w"))
driver = None
try:
    wait_for(lambda: os.path.exists(http_port_file) and open(http_port_file).read().strip(), 20, "server started")
    grpc_address = "127.0.0.1:" + open(port_file).read().strip()
    base = "http://127.0.0.1:" + open(http_port_file).read().strip()

    def cli(*args):
        out = subprocess.run([f"{BIN}/hpsearch", "--server", grpc_address, "--token", TOKEN, *args],
                             capture_output=True, text=True, check=True)
        return out.stdout

    def api(path):
        req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + TOKEN})
        return json.load(urllib.request.urlopen(req))

    def api_text(path):
        req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + TOKEN})
        return urllib.request.urlopen(req).read().decode()

    spec = os.path.join(work, "web.yaml")
    with open(spec, "w") as f:
        f.write("name: web\ndataset: {name: iris, validation: 0.2}\nmethod: random\nseed: 4\n"
                "budget: {max_trials: 10}\nfixed: {epochs: 15, hidden: [16]}\n"
                "pruning: {method: median, startup_trials: 2, warmup_epochs: 3}\nlabels: {team: vision, owner: ada}\n"
                "parameters:\n  lr: {min: 0.001, max: 0.3, scale: log}\n  optimizer: {values: [sgd, adam]}\n"
                "  l2: {values: [1.992e-06]}\n")
    sweep = json.loads(cli("submit", spec, "-o", "json"))["id"]
    cli("watch", sweep)

    # The token: the API refuses without it, and a browser is sent to the login form.
    try:
        urllib.request.urlopen(base + "/api/v1/sweeps")
        check(False, "the API answered without the token")
    except urllib.error.HTTPError as e:
        check(e.code == 401, f"API without the token: {e.code}")

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(a)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(20)

    def points_off_axes():
        # Every plotted point of every chart on the page lies within its axes' range;
        # and data given unparsed is sorted by x (Chart.js then takes the x range from
        # a dataset's first and last points: unsorted, the others may fall off it).
        return driver.execute_script("""
          const off = [];
          for (const canvas of document.querySelectorAll('canvas')) {
            const chart = window.Chart && Chart.getChart(canvas);
            if (!chart) continue;
            const unparsed = chart.options.parsing === false && chart.scales.x && chart.scales.x.type !== 'category';
            for (const ds of chart.data.datasets) {
              for (let i = 1; unparsed && i < ds.data.length; i++) {
                if (ds.data[i].x < ds.data[i - 1].x) {
                  off.push(canvas.id + ': ' + ds.label + ' not sorted by x at point ' + i);
                  break;
                }
              }
              for (const d of ds.data) {
                if (d === null || typeof d !== 'object') continue;
                for (const axis of ['x', 'y']) {
                  const scale = chart.scales[axis], v = d[axis];
                  if (!scale || scale.type === 'category' || typeof v !== 'number' || !isFinite(v)) continue;
                  const slack = 1e-9 * Math.max(Math.abs(scale.min), Math.abs(scale.max));
                  if (v < scale.min - slack || v > scale.max + slack)
                    off.push(canvas.id + ': ' + axis + ' = ' + v + ' outside [' + scale.min + ', ' + scale.max + ']');
                }
              }
            }
          }
          return off;""")

    def console_errors(page):
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        check(not errors, f"{page}: console errors {errors}")

    def dashboard():
        return driver.execute_script("return window.hpsearchDashboard || null") or {}

    def column(n):
        # One read of the table's column n (the page may redraw between element reads).
        return driver.execute_script(
            f"return [...document.querySelectorAll('#trials tbody td:nth-child({n})')].map(e => e.textContent)")

    def column_of(key):
        # The table's column headed `key` (its th's data-col), 1-based as nth-child counts.
        heads = driver.execute_script(
            "return [...document.querySelectorAll('#trials thead th')].map(e => e.dataset.col || '')")
        check(key in heads, f"no table column {key} in {heads}")
        return heads.index(key) + 1 if key in heads else 0

    def g4(v):  # a number as the CLI prints it (client/format.cc)
        return "%.4g" % v

    def untitled_charts():
        # Every chart (a Chart.js canvas, the parallel plot, the heat map) sits in a
        # panel whose title is shown and says something.
        return driver.execute_script("""
          const out = [];
          for (const c of document.querySelectorAll('canvas, table.heatmap')) {
            const f = c.closest('figure.panel'), t = f && f.querySelector('figcaption.chart-title');
            if (!t || !t.textContent.trim() || !t.offsetHeight) out.push(c.id);
          }
          return out;""")

    def titles():
        return driver.execute_script(
            "return Object.fromEntries([...document.querySelectorAll('figure.panel')].map("
            "f => [f.dataset.chart, f.querySelector('figcaption').textContent]))")

    def shot(name, height=900):
        if SHOTS:
            driver.set_window_size(1280, height)
            driver.execute_script("window.scrollTo(0, 0)")
            time.sleep(0.5)  # charts follow the new size
            driver.save_screenshot(os.path.join(SHOTS, name))
            driver.set_window_size(1280, 900)

    driver.get(base + "/sweeps/" + sweep)
    check("/login" in driver.current_url, f"not sent to the login form: {driver.current_url}")
    driver.find_element(By.ID, "token").send_keys("wrong")
    driver.find_element(By.ID, "sign-in").click()
    # The form posts and the refusal is a new page: wait for it (a loaded machine is slow).
    wait_for(lambda: driver.find_elements(By.ID, "login-error"), 10, "a wrong token is not refused on the form")
    driver.find_element(By.ID, "token").send_keys(TOKEN)
    driver.find_element(By.ID, "sign-in").click()
    wait_for(lambda: dashboard().get("page") == "sweep:" + sweep, 10, "signed in to the sweep page")
    driver.get_log("browser")  # the refused sign-in's 401 is expected
    # The browser holds a session id, never the token (HttpOnly, SameSite=Strict).
    session = driver.get_cookie("hpsearch_session")
    check(session and TOKEN not in session["value"] and len(session["value"]) == 64 and session["httpOnly"]
          and session.get("sameSite") == "Strict", f"the session cookie: {session}")
    check(not driver.get_cookie("hpsearch_token"), "the token is kept in a cookie")
    # /login sends the browser only to this site, whatever `next` says: the audit's
    # /%09/evil.example/x (a browser strips the tab and would go to evil.example).
    driver.get(base + "/login?next=/%09/evil.example/x")
    driver.find_element(By.ID, "token").send_keys(TOKEN)
    driver.find_element(By.ID, "sign-in").click()
    wait_for(lambda: dashboard().get("page") == "sweeps", 10, "signed in to this site's sweep list")
    check(driver.current_url == base + "/", f"the login sent the browser to {driver.current_url}")

    # Sweeps.
    driver.get(base + "/")
    wait_for(lambda: dashboard().get("sweepsShown") == 1, 10, "the sweep list shows the sweep")
    check(driver.find_elements(By.CSS_SELECTOR, f'#sweeps tr[data-id="{sweep}"] progress'), "no progress bar")
    console_errors("sweeps")
    shot("dashboard-sweeps.png")

    # Sweep: history points and table rows as the API says; sorting and filtering.
    trials = api(f"/api/v1/sweeps/{sweep}/trials?page_size=1000")["trials"]
    completed = [t for t in trials if t["status"] == "COMPLETED"]
    pruned = [t for t in trials if t["status"] == "PRUNED"]
    finished = completed + pruned  # what the plots show: a pruned trial at its last value
    check(pruned and completed, f"the sweep has completed and pruned trials ({len(completed)}, {len(pruned)})")
    driver.get(base + "/sweeps/" + sweep)
    wait_for(lambda: dashboard().get("trialsShown") == len(trials), 10, "every trial in the table")
    wait_for(lambda: dashboard().get("historyPoints") == len(finished), 5,
             f"history has {dashboard().get('historyPoints')} points, the API {len(finished)} completed or pruned trials")
    canvas = driver.find_element(By.ID, "history")
    check(canvas.get_attribute("data-points") == str(len(finished)), "history canvas points")
    # One objective: no Pareto panel, and the page never asks for one (read before the
    # resource timing buffer, 250 entries, fills up).
    check(not driver.find_elements(By.CSS_SELECTOR, 'figure[data-chart="pareto"], figure[data-chart="hypervolume"]'),
          "a single-objective sweep's page shows a Pareto panel")
    fetched = [n.split("?")[0] for n in driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/'))")]
    check(any(n.endswith("/history") for n in fetched) and not any(n.endswith("/pareto") for n in fetched),
          f"a single-objective sweep's page asked for its history and no front: {fetched}")
    wait_for(lambda: dashboard().get("slicesShown") == 2, 5, "a slice plot per searched parameter (lr, optimizer)")
    for name in ("lr", "optimizer"):
        points = driver.find_element(By.ID, "slice-" + name).get_attribute("data-points")
        check(points == str(len(finished)), f"slice {name}: {points} points, {len(finished)} finished trials")
    off = points_off_axes()
    check(not off, f"sweep page: points off their axes: {off}")
    wait_for(lambda: dashboard().get("parallelLines") == len(finished), 5, "a parallel-coordinates line per trial")
    # Completed trials on the final value's colour scale, pruned ones (an early value) off it.
    colours = dashboard().get("parallelColours") or {}
    check(all(colours.get(str(t["index"])) == "pruned" for t in pruned),
          f"pruned trials drawn neutral, off the scale: {colours}")
    check(all(colours.get(str(t["index"])) == "scale" for t in completed), f"completed trials on the scale: {colours}")
    sweep_json = api(f"/api/v1/sweeps/{sweep}")
    metric, maximize = sweep_json["objective_metric"], sweep_json["maximize"]
    objectives = [t["objective"] for t in completed]
    legend = driver.find_element(By.ID, "parallel-legend")
    shown_legend = dashboard().get("parallelLegend") or {}
    check(shown_legend.get("metric") == metric and metric in legend.text,
          f"the parallel legend names the objective {metric}: {legend.text!r}")
    lo, hi = min(objectives), max(objectives)
    check(shown_legend.get("min") == lo and shown_legend.get("max") == hi and g4(lo) in legend.text and g4(hi) in legend.text,
          f"the legend spans the completed trials' values {lo}..{hi}: {shown_legend}, {legend.text!r} "
          f"(pruned trials' early values left out)")
    best_end = driver.find_element(By.CSS_SELECTOR, "#parallel-legend .legend-end.best").text
    check("best" in best_end and g4(hi if maximize else lo) in best_end, f"the legend's best end: {best_end!r}")
    check("pruned" in legend.text and "not on this colour scale" in legend.text, f"the legend explains pruned: {legend.text!r}")
    check(driver.find_elements(By.CSS_SELECTOR, "#parallel-legend .legend-bar"), "the legend's gradient bar")
    # Every chart has a title saying what it shows.
    wait_for(lambda: dashboard().get("curvesShown") is not None and dashboard().get("importanceShown") is not None, 10,
             "the learning curves and importance are drawn")
    check(not untitled_charts(), f"sweep page: charts without a title: {untitled_charts()}")
    shown_titles = titles()
    print("sweep page titles:", shown_titles)
    check(f"Objective ({metric})" in shown_titles.get("history", ""), f"history title {shown_titles.get('history')}")
    check(f"Learning curves: {metric} per epoch" in shown_titles.get("curves", ""), f"curves title {shown_titles.get('curves')}")
    check(metric in shown_titles.get("parallel", "") and "lr" in shown_titles.get("slice-lr", ""), f"titles {shown_titles}")
    # The spec (collapsed, as YAML) and the labels as key=value chips.
    chips = driver.execute_script("return [...document.querySelectorAll('#labels .chip')].map(e => e.textContent)")
    check(chips == ["owner=ada", "team=vision"], f"label chips {chips}")
    spec_text = driver.execute_script("return document.getElementById('spec-text').textContent")
    check(spec_text == api_text(f"/api/v1/sweeps/{sweep}/spec.yaml") and "name: web\n" in spec_text
          and "team: vision" in spec_text and "lr: {min: 0.001, max: 0.3, scale: log}" in spec_text
          and "1.992e-06" in spec_text, f"the spec as a spec file: {spec_text!r}")
    driver.find_element(By.CSS_SELECTOR, "#spec summary").click()
    check(driver.find_element(By.ID, "spec-text").is_displayed(), "the spec opens")
    driver.find_element(By.CSS_SELECTOR, "#spec summary").click()  # closed again (the screenshot shows the charts)
    # Duration and epochs columns; a tiny number as the CLI prints it.
    lengths_all = {int(t["index"]): sum(1 for e in api(f"/api/v1/sweeps/{sweep}/trials/{t['index']}")["epochs"]
                                       if e.get("metrics")) for t in trials}
    wait_for(lambda: dashboard().get("epochsFilled") == len(trials), 10, "the epochs column is filled")
    rows = driver.execute_script("return [...document.querySelectorAll('#trials tbody tr')].map(r => r.dataset.trial)")
    epochs_col, duration_col, l2_col = column(column_of("epochs")), column(column_of("duration")), column(column_of("l2"))
    check([int(v) for v in epochs_col] == [lengths_all[int(r)] for r in rows],
          f"epochs column {epochs_col}, the API's curves {lengths_all}")
    check(all(int(v) == 15 for v, r in zip(epochs_col, rows) if int(r) in {int(t["index"]) for t in completed}),
          f"completed trials ran 15 epochs: {epochs_col}")
    by_index = {str(t["index"]): t for t in trials}
    for v, r in zip(duration_col, rows):
        t = by_index[r]
        seconds = (int(t["finished_ms"]) - int(t["started_ms"])) / 1000
        m = re.fullmatch(r"(\d+)ms|(\d+\.\d)s|(\d+)m(\d\d)s", v)
        shown = None if not m else int(m[1]) / 1000 if m[1] else float(m[2]) if m[2] else int(m[3]) * 60 + int(m[4])
        check(shown is not None and abs(shown - seconds) <= max(0.06, seconds * 0.02),
              f"trial {r}: duration {v!r}, the API {seconds:.3f} s")
    check(l2_col and all(v == "1.992e-06" for v in l2_col), f"l2 shown as the CLI prints it: {l2_col}")
    def objective_shown(t):  # as the CLI's tables print it (client/trial_table.cc)
        if "objective" in t:
            return "%#.4g" % float(t["objective"])
        last, at = (t.get("metrics") or {}).get(metric), int(t.get("epochs_run", 0))
        return "-" if last is None or not at else "%#.4g @%d" % (float(last), at)

    objective_col = column(4)
    check(all(v == objective_shown(by_index[r]) for v, r in zip(objective_col, rows)),
          f"objectives as the CLI prints them: {objective_col}")
    check(any("@" in v for v in objective_col), f"a pruned trial shows its last value @ its epoch: {objective_col}")
    # Brush the objective axis (the last, 60 px from the right edge) over its top half.
    par = driver.find_element(By.ID, "parallel")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", par)
    w, h = par.size["width"], par.size["height"]
    ActionChains(driver).move_to_element_with_offset(par, w / 2 - 60, -h / 2 + 30).click_and_hold() \
        .move_by_offset(0, (h - 64) / 2).release().perform()
    selected = wait_for(lambda: dashboard().get("parallelSelected") if dashboard().get("parallelSelected", 0) < len(finished) else None,
                        3, "brushing selects fewer trials")
    check(selected is not None and selected >= 1, f"the brush selects the best trials ({selected})")
    check("in the brushed ranges" in driver.find_element(By.ID, "parallel-note").text, "the selection is listed")
    # The brushed range becomes the table's filter: the server lists the same completed
    # trials (a pruned one has no objective, only the last value it is plotted at).
    brushed = dashboard().get("parallelSelectedCompleted")
    driver.find_element(By.ID, "brush-to-table").click()
    wait_for(lambda: dashboard().get("trialsTotal") == brushed, 5,
             f"the table filtered to the brush: {dashboard().get('trialsTotal')} rows, {brushed} completed brushed")
    where = driver.find_element(By.ID, "where")
    check("objective>=" in where.get_attribute("value"), f"the filter box shows the brush: {where.get_attribute('value')}")
    # Typed conditions; one the server refuses is explained and leaves the table as it was.
    adam = [t for t in trials if t["params"]["optimizer"] == "adam"]
    def set_filter(text):  # as typed: the box's change event (clear() would fire one of its own)
        driver.execute_script("const b = document.getElementById('where'); b.value = arguments[0];"
                              "b.dispatchEvent(new Event('change'))", text)
    set_filter("optimizer=adam")
    wait_for(lambda: dashboard().get("trialsTotal") == len(adam), 5, f"optimizer=adam lists the {len(adam)} adam trials")
    set_filter("optimiser=adam")
    wait_for(lambda: "did you mean 'optimizer'" in driver.find_element(By.ID, "where-error").text, 5,
             "a misspelt key is explained by the filter box")
    check(dashboard().get("trialsTotal") == len(adam), "a refused filter left the table as it was")
    set_filter("")
    wait_for(lambda: dashboard().get("trialsShown") == len(trials), 5, "clearing the filter lists every trial")
    check(driver.find_element(By.ID, "where-error").text == "", "the filter error is cleared")
    driver.get_log("browser")  # the refused filter's 400 is expected
    # 10 trials: too few for importance (search/importance.h), withheld and said so.
    importance = api(f"/api/v1/sweeps/{sweep}/importance")
    check(importance["method"] == "ped-anova" and importance["importances"] == [] and
          int(importance["minimum_trials"]) == 20 and 0 < int(importance["completed_trials"]) <= 10,
          f"importance {importance}")
    wait_for(lambda: "withheld until 20 trials have completed (" + str(int(importance["completed_trials"])) +
             " so far)" in driver.find_element(By.ID, "importance-note").text, 5, "the withheld importance's note")
    top5 = api(f"/api/v1/sweeps/{sweep}/best?k=5")["trials"]
    latest_pruned = sorted(pruned, key=lambda t: int(t["index"]))[-5:]
    curves = top5 + latest_pruned
    lengths = {t["index"]: len(api(f"/api/v1/sweeps/{sweep}/trials/{t['index']}")["epochs"]) for t in curves}
    epochs = sum(lengths.values())
    check(all(lengths[t["index"]] < 15 for t in latest_pruned), f"pruned trials stopped early: {lengths}")
    wait_for(lambda: dashboard().get("curvesShown") == len(curves) and dashboard().get("curvePointsTotal") == epochs, 5,
             f"learning curves of the {len(top5)} best and {len(latest_pruned)} latest pruned trials ({epochs} points)")
    check(dashboard().get("curvesPruned") == len(latest_pruned), "the pruned curves are drawn as pruned (dashed)")
    # A hand-picked trial (one not drawn yet) joins the curves, and leaves them again.
    others = [t for t in trials if t["index"] not in lengths]
    check(others, "a trial without a curve to pick")
    worst = others[0]
    pick = driver.find_element(By.CSS_SELECTOR, f'#trials input.pick[data-trial="{worst["index"]}"]')
    pick.click()
    worst_epochs = len(api(f"/api/v1/sweeps/{sweep}/trials/{worst['index']}")["epochs"])
    wait_for(lambda: dashboard().get("curvesPicked") == 1 and dashboard().get("curvesShown") == len(curves) + 1
             and dashboard().get("curvePointsTotal") == epochs + worst_epochs, 5, "the picked trial's curve is drawn")
    driver.find_element(By.CSS_SELECTOR, f'#trials input.pick[data-trial="{worst["index"]}"]').click()
    wait_for(lambda: dashboard().get("curvesShown") == len(curves), 5, "unpicking removes its curve")
    # The selector: every trial's curve (counted in datasets), another metric, a typed list.
    curve_lengths = {}
    for t in trials:
        epochs_of = api(f"/api/v1/sweeps/{sweep}/trials/{t['index']}")["epochs"]
        curve_lengths[int(t["index"])] = epochs_of
    with_metric = {i: sum(1 for e in es if metric in e.get("metrics", {})) for i, es in curve_lengths.items()}
    expected = [i for i, n in with_metric.items() if n]
    Select(driver.find_element(By.ID, "curve-set")).select_by_value("all")
    wait_for(lambda: dashboard().get("curvesSet") == "all" and dashboard().get("curvesShown") == len(expected)
             and dashboard().get("curvePointsTotal") == sum(with_metric.values()), 10,
             f"every trial's curve: {len(expected)} datasets, {sum(with_metric.values())} points "
             f"(shown {dashboard().get('curvesShown')}, {dashboard().get('curvePointsTotal')})")
    datasets = driver.execute_script("return Chart.getChart(document.getElementById('curves')).data.datasets.length")
    check(datasets == len(expected), f"the chart holds {datasets} datasets, {len(expected)} trials")
    check(not dashboard().get("curvesDownsampled"), "10 trials are not downsampled")
    metrics = driver.execute_script("return [...document.querySelectorAll('#curve-metric option')].map(o => o.value)")
    check(metrics and metrics[0] == metric and len(metrics) > 1, f"the metric menu {metrics}")
    other = next((m for m in metrics if m != metric), None)
    if other:
        Select(driver.find_element(By.ID, "curve-metric")).select_by_value(other)
        points = sum(1 for es in curve_lengths.values() for e in es if other in e.get("metrics", {}))
        wait_for(lambda: dashboard().get("curvesMetric") == other and dashboard().get("curvePointsTotal") == points, 10,
                 f"the curves of {other} ({points} points)")
        check(f"Learning curves: {other} per epoch" in titles().get("curves", ""), f"the title follows: {titles().get('curves')}")
        Select(driver.find_element(By.ID, "curve-metric")).select_by_value(metric)
    Select(driver.find_element(By.ID, "curve-set")).select_by_value("list")
    listed = driver.find_element(By.ID, "curve-list")
    check(listed.is_displayed(), "the list box shows for a typed list")
    driver.execute_script("arguments[0].value = '0, 2-3'; arguments[0].dispatchEvent(new Event('change'))", listed)
    wait_for(lambda: dashboard().get("curvesSet") == "list" and dashboard().get("curvesMetric") == metric
             and dashboard().get("curvesShown") == len([i for i in (0, 2, 3) if with_metric.get(i)]), 10,
             f"the listed trials' curves: {dashboard().get('curvesShown')}")
    off = points_off_axes()
    check(not off, f"sweep page (curve selector): points off their axes: {off}")
    Select(driver.find_element(By.ID, "curve-set")).select_by_value("default")
    wait_for(lambda: dashboard().get("curvesSet") == "default" and dashboard().get("curvesShown") == len(curves), 10,
             "back to the default curves")
    check("ETA" not in driver.find_element(By.ID, "counts").text and "elapsed" in driver.find_element(By.ID, "counts").text,
          "a finished sweep shows its elapsed time, no ETA")
    driver.find_element(By.CSS_SELECTOR, '#trials th[data-key="objective"]').click()
    time.sleep(1.2)
    shown = [float(v) for v in column(4) if v != "-" and "@" not in v]  # completed ones: sorted by objective
    check(shown == sorted(shown, reverse=True) and len(shown) == len(completed), f"objective order {shown}")
    Select(driver.find_element(By.ID, "status-filter")).select_by_value("completed")
    wait_for(lambda: dashboard().get("trialsShown") == len(completed), 5, "the status filter")
    Select(driver.find_element(By.ID, "status-filter")).select_by_value("")
    console_errors("sweep")
    shot("dashboard-sweep.png", 1700)

    # Live: more trials run (extend) and appear within 3 s each, without a reload; the
    # running sweep's page follows its event stream (server-sent events).
    before = dashboard().get("updates")
    check(not dashboard().get("pushed"), "a finished sweep's page holds no event stream")
    cli("extend", sweep, "--trials", "2")
    started = time.time()
    seen = wait_for(lambda: dashboard().get("trialsShown") == len(trials) + 2, 3, "extended trials appear within 3 s")
    if seen:
        print(f"live: new trials shown {time.time() - started:.2f} s after extend")
        cli("watch", sweep)
        ended = time.time()
        wait_for(lambda: dashboard().get("historyPoints") == len(finished) + 2, 3,
                 "a trial that finished appears within 3 s")
        print(f"live: finished trials shown {time.time() - ended:.2f} s after the sweep ended")
    check(dashboard().get("updates") > before, "the page did not update itself")

    # Pushed: a running trial's page follows the sweep's event stream and draws each
    # epoch as it is reported; the stream closes when the sweep ends.
    slow_spec = os.path.join(work, "slow.yaml")
    with open(slow_spec, "w") as f:
        f.write("name: slow\ndataset: {name: iris, validation: 0.2}\nmethod: random\nbudget: {max_trials: 2}\n"
                "fixed: {epochs: 400, hidden: [1024, 1024]}\nparameters:\n  lr: {min: 0.001, max: 0.01, scale: log}\n")
    slow = json.loads(cli("submit", slow_spec, "-o", "json"))["id"]
    driver.get(base + f"/sweeps/{slow}/trials/0")
    wait_for(lambda: dashboard().get("pushed"), 10, "the running trial's page opens the event stream")
    first = wait_for(lambda: dashboard().get("curvePoints") or None, 10, "the running trial's first epochs")
    events = dashboard().get("events", 0)
    grew = wait_for(lambda: dashboard().get("curvePoints", 0) >= (first or 0) + 10, 10, "epochs keep arriving")
    check(dashboard().get("events", 0) > events, "they arrive as events")
    if grew:
        api_epochs = len(api(f"/api/v1/sweeps/{slow}/trials/0")["epochs"])
        print(f"live: the page shows {dashboard().get('curvePoints')} epochs, the API {api_epochs}")
    cli("cancel", slow)
    wait_for(lambda: "cancelled" in driver.find_element(By.ID, "summary").text or not dashboard().get("pushed"), 10,
             "the cancelled sweep's stream closes")
    wait_for(lambda: not dashboard().get("pushed"), 5, "no stream once the sweep has ended")
    console_errors("sweep (live)")

    # Trial: its learning curve has one point per epoch the API has.
    best = api(f"/api/v1/sweeps/{sweep}/best?k=1")["trials"][0]
    detail = api(f"/api/v1/sweeps/{sweep}/trials/{best['index']}")
    driver.get(base + f"/sweeps/{sweep}/trials/{best['index']}")
    wait_for(lambda: dashboard().get("curvePoints") == len(detail["epochs"]), 10,
             f"curve points == {len(detail['epochs'])} epochs")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#params tr")) == len(detail["params"]), "parameter rows")
    cells = sum(len(d.get("std", [])) for d in detail["diagnostics"])
    check(cells > 0, "the trial has activation statistics")
    wait_for(lambda: dashboard().get("heatmapCells") == cells, 5, f"heat map of {cells} cells")
    check(not untitled_charts(), f"trial page: charts without a title: {untitled_charts()}")
    print("trial page titles:", titles())
    off = points_off_axes()
    check(not off, f"trial page: points off their axes: {off}")
    console_errors("trial")
    shot("dashboard-trial.png", 1100)

    # A command trial's page shows the program's stdout and stderr as they are written,
    # as text (the markup it printed stays text), in place of the heat map.
    talk_spec = os.path.join(work, "talk.yaml")
    with open(talk_spec, "w") as f:
        f.write("name: talk\ntrainer: {command: [talk.sh]}\nobjective: {metric: loss}\nmethod: grid\n"
                "parameters:\n  n: {values: [1]}\n")
    talk = json.loads(cli("submit", talk_spec, "-o", "json"))["id"]

    def started():  # trials exist once the search proposes them: until then a 404
        try:
            return api(f"/api/v1/sweeps/{talk}/trials/0")["attempt"] >= 1
        except urllib.error.HTTPError:
            return False
    wait_for(started, 10, "the command trial starts")
    driver.get(base + f"/sweeps/{talk}/trials/0")
    text = lambda i: driver.execute_script(f"const e = document.getElementById('{i}'); return e ? e.textContent : ''")
    wait_for(lambda: "line 1 <b>bold</b>" in text("stdout"), 10, "the running program's first line")
    wait_for(lambda: text("stdout").count("<b>bold</b>") == 6 and "warn 6" in text("stderr"), 15,
             "its output to the end, both streams")
    check(not driver.find_elements(By.CSS_SELECTOR, "pre b, #heatmap"), "output drawn as markup, or a heat map")
    check(text("stderr") == "".join(f"warn {i}\n" for i in range(1, 7)), f"stderr: {text('stderr')!r}")
    console_errors("command trial")

    # Two objectives: the Pareto panel has a point per ranked trial, the front (rank 0)
    # highlighted as many as the API's front_size, axes naming each objective and its
    # direction, and the hypervolume as the trials finished; a click opens a trial.
    two_spec = os.path.join(work, "two.yaml")
    with open(two_spec, "w") as f:
        f.write("name: two\ndataset: {name: iris, validation: 0.2}\n"
                "objective: [{metric: val_accuracy}, {metric: parameter_count}]\nmethod: nsga2\n"
                "nsga2: {population: 4}\nseed: 5\nbudget: {max_trials: 8}\nfixed: {epochs: 5}\nparameters:\n"
                "  hidden: {values: [[4], [16], [64], [8, 8], [32, 32]]}\n  lr: {min: 0.001, max: 0.1, scale: log}\n")
    two = json.loads(cli("submit", two_spec, "-o", "json"))["id"]
    cli("watch", two)
    pareto = api(f"/api/v1/sweeps/{two}/pareto")
    n_points, front_size = len(pareto["points"]), pareto["front_size"]
    check(n_points >= 2 and front_size == sum(1 for p in pareto["points"] if p["rank"] == 0),
          f"the API's front: {front_size} of {n_points} points")
    driver.get(base + "/sweeps/" + two)
    wait_for(lambda: dashboard().get("paretoPoints") == n_points, 10,
             f"the Pareto scatter has {dashboard().get('paretoPoints')} points, the API {n_points}")
    check(driver.find_element(By.ID, "pareto").get_attribute("data-points") == str(n_points), "Pareto canvas points")
    drawn = driver.execute_script(
        "const c = Chart.getChart(document.getElementById('pareto'));"
        "return {sizes: c.data.datasets.map(d => d.data.length), x: c.options.scales.x.title.text,"
        " y: c.options.scales.y.title.text}")
    check(dashboard().get("paretoFront") == front_size and drawn["sizes"] == [front_size, n_points - front_size],
          f"highlighted front points {drawn['sizes']}, {dashboard().get('paretoFront')}; the API's front_size {front_size}")
    check(drawn["x"] == "val_accuracy (max)" and drawn["y"] == "parameter_count (min)", f"the Pareto axes {drawn}")
    check(dashboard().get("hypervolumePoints") == len(pareto["hypervolume_history"]),
          f"hypervolume steps {dashboard().get('hypervolumePoints')}, the API {len(pareto['hypervolume_history'])}")
    shown_titles = titles()
    print("two-objective sweep titles:", shown_titles)
    check("reference point" in shown_titles.get("hypervolume", ""), f"hypervolume title {shown_titles.get('hypervolume')}")
    check(not untitled_charts(), f"two-objective sweep: charts without a title: {untitled_charts()}")
    off = points_off_axes()
    check(not off, f"two-objective sweep: points off their axes: {off}")
    console_errors("two-objective sweep")
    shot("dashboard-pareto.png", 1700)
    # A click on the first front point opens its trial.
    first = driver.execute_script(
        "const c = Chart.getChart(document.getElementById('pareto')); c.canvas.scrollIntoView({block: 'center'});"
        "const p = c.getDatasetMeta(0).data[0], r = c.canvas.getBoundingClientRect();"
        "return {x: p.x - r.width / 2, y: p.y - r.height / 2, trial: c.data.datasets[0].data[0].trial}")
    ActionChains(driver).move_to_element_with_offset(driver.find_element(By.ID, "pareto"), first["x"], first["y"]) \
        .click().perform()
    wait_for(lambda: driver.current_url.endswith(f"/sweeps/{two}/trials/{first['trial']}"), 10,
             f"a click on front trial {first['trial']} opens its page: {driver.current_url}")

    # Signing out ends the session: the pages send the browser to the login form again.
    driver.get(base + "/")
    wait_for(lambda: dashboard().get("sweepsShown", 0) >= 1, 10, "the sweep list before signing out")
    sign_out = driver.find_elements(By.ID, "sign-out")
    check(sign_out and sign_out[0].is_displayed(), "no sign-out link on a server with a token")
    if sign_out:
        sign_out[0].click()
        wait_for(lambda: "/login" in driver.current_url, 10, f"signed out to the login form: {driver.current_url}")
        driver.get(base + "/sweeps/" + sweep)
        check("/login" in driver.current_url, f"a page without a session: {driver.current_url}")

    # Scale: a 100,000-trial sweep (written through the store, not trained) opens with
    # its plot thinned to at most 5,000 points and its table paged; the time is printed.
    big_db = os.path.join(work, "large.db")
    started = time.time()
    big = subprocess.run([f"{BIN}/make_large_sweep", big_db, "100000"], capture_output=True, text=True, check=True)
    print(f"scale: wrote 100,000 trials in {time.time() - started:.1f} s")
    big_id = big.stdout.strip()
    big_http = os.path.join(work, "large-http-port")
    large = subprocess.Popen(
        [f"{BIN}/hpsearch-server", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--http-port-file", big_http,
         "--db", big_db, "--workers", "0"], stderr=open(os.path.join(work, "large.log"), "w"))
    try:
        wait_for(lambda: os.path.exists(big_http) and open(big_http).read().strip(), 20, "large server started")
        big_base = "http://127.0.0.1:" + open(big_http).read().strip()
        started = time.time()
        driver.get(big_base + "/sweeps/" + big_id)
        wait_for(lambda: dashboard().get("historyPoints", 0) > 0 and dashboard().get("trialsShown") == 100, 20,
                 "the 100,000-trial sweep page")
        opened = time.time() - started
        d = dashboard()
        print(f"scale: sweep page of 100,000 trials interactive in {opened:.2f} s "
              f"({d.get('historyPoints')} of {d.get('historyTotal')} points plotted)")
        timing = driver.execute_script(
            "const t = performance.getEntriesByType('navigation')[0];"
            "return {response: t.responseEnd, dom: t.domContentLoadedEventEnd, load: t.loadEventEnd}")
        print(f"scale: in the page: html {timing['response']:.0f} ms, scripts ready {timing['dom']:.0f} ms, "
              f"first data fetched and drawn in {d.get('drawMs')} ms")
        check(d.get("historyTotal") == 100000, f"history total {d.get('historyTotal')}")
        check(0 < d.get("historyPoints", 0) <= 5000, f"history points {d.get('historyPoints')}")
        check(d.get("trialsTotal") == 100000, f"table total {d.get('trialsTotal')}")
        # The figure is reported (docs/operations.md quotes it); the bound only catches a
        # page that loads every trial again — timings on a shared CI machine vary.
        check(opened <= 10, f"the 100,000-trial sweep took {opened:.2f} s to open")
        wait_for(lambda: dashboard().get("importanceShown") == 3, 10, "importance of the 100,000 trials")
        check("Importance: PED-ANOVA over " in driver.find_element(By.ID, "importance-note").text,
              "the importance note says what it rests on")
        print(f"scale: importance of 100,000 trials shown {time.time() - started:.2f} s after navigation")
        started = time.time()
        driver.find_element(By.CSS_SELECTOR, '#trials th[data-key="lr"]').click()
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#trials th.sorted[data-key=\"lr\"]"), 10, "sorted by lr")
        sorted_in = time.time() - started
        print(f"scale: sorted 100,000 trials by lr in {sorted_in:.2f} s")
        check(sorted_in <= 10, f"sorting 100,000 trials took {sorted_in:.2f} s")
        lrs = [float(v) for v in column(column_of("lr"))]
        check(lrs == sorted(lrs) and len(lrs) == 100, "the table sorted by lr")
        driver.find_element(By.ID, "next").click()
        wait_for(lambda: "101–200 of 100000" in driver.find_element(By.ID, "page-info").text, 10, "the second page")
        # Every trial's curve on 100,000 trials: downsampled to the best 50 and an even sample.
        started = time.time()
        draws = dashboard().get("curvesDraws", 0)
        Select(driver.find_element(By.ID, "curve-set")).select_by_value("all")
        wait_for(lambda: dashboard().get("curvesSet") == "all" and dashboard().get("curvesDraws", 0) > draws, 30,
                 "every trial's curves on the large sweep")
        d = dashboard()
        note = driver.find_element(By.ID, "curve-note").text
        print(f"scale: curves of 'every trial' in {time.time() - started:.2f} s: {d.get('curvesChosen')} trials, "
              f"{d.get('curvesShown')} curves, {d.get('curvePointsTotal')} points; {note}")
        check(d.get("curvesDownsampled") and 250 <= d.get("curvesChosen", 0) <= 300 and "the 50 best" in note,
              f"the large sweep's curves downsampled: {d.get('curvesChosen')} trials, note {note!r}")
        check(not untitled_charts(), f"large sweep: charts without a title: {untitled_charts()}")
        console_errors("large sweep")
        started = time.time()
        driver.get(big_base + "/")
        wait_for(lambda: dashboard().get("sweepsShown") == 1, 10, "the sweep list with a large sweep")
        print(f"scale: sweep list in {time.time() - started:.2f} s")
    finally:
        large.terminate()
        large.wait(15)
finally:
    if driver:
        driver.quit()
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
    if failures:
        sys.stderr.write(open(os.path.join(work, "server.log")).read()[-3000:])

print("dashboard ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
