#!/usr/bin/env python3
"""Runs examples/init-study.yaml on a fresh server and saves the trial page of three
of its trials (tanh with small, large and Xavier initialisation) to docs/img/: the
activation heat map makes the lectures' initialisation experiment visible.

usage: init_study_screenshot.py BIN_DIR OUT_DIR   (scripts/screenshots.sh runs it)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

BIN, OUT = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="hpsearch-init-study-")
ports = os.path.join(work, "port"), os.path.join(work, "http-port")
server = subprocess.Popen([f"{BIN}/hpsearch-server", "--listen", "127.0.0.1:0", "--port-file", ports[0], "--http",
                           "127.0.0.1:0", "--http-port-file", ports[1], "--db", os.path.join(work, "d.db")],
                          stderr=open(os.path.join(work, "server.log"), "w"))
try:
    for _ in range(200):
        if os.path.exists(ports[1]) and open(ports[1]).read().strip():
            break
        time.sleep(0.1)
    grpc = "127.0.0.1:" + open(ports[0]).read().strip()
    base = "http://127.0.0.1:" + open(ports[1]).read().strip()
    here = os.path.dirname(os.path.abspath(__file__))
    cli = lambda *a: subprocess.run([f"{BIN}/hpsearch", "--server", grpc, *a], capture_output=True, text=True,
                                    check=True).stdout
    sweep = json.loads(cli("submit", os.path.join(here, "..", "examples", "init-study.yaml"), "-o", "json"))["id"]
    cli("watch", sweep)
    trials = json.loads(cli("trials", sweep, "--limit", "0", "-o", "json"))
    o = Options()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1100"]:
        o.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    for init in ("small_normal", "large_normal", "xavier_normal"):
        t = next(t for t in trials if t["params"]["activation"] == "tanh" and t["params"]["init"] == init)
        d.get(f"{base}/sweeps/{sweep}/trials/{t['trial']}")
        time.sleep(2)
        path = os.path.join(OUT, f"init-study-tanh-{init}.png")
        d.save_screenshot(path)
        print(path)
    d.quit()
finally:
    server.terminate()
    server.wait(20)
