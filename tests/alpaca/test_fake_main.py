"""`python -m parity.brokers.alpaca.fake` serves until interrupted and prints where."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def test_standalone_server_prints_its_url_and_serves():
    env = {**os.environ, "APCA_API_KEY_ID": "demo-key", "APCA_API_SECRET_KEY": "demo-secret"}
    proc = subprocess.Popen([sys.executable, "-m", "parity.brokers.alpaca.fake", "--port", "0"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        url = re.search(r"REST (http://127\.0\.0\.1:\d+)", first).group(1)
        second = proc.stdout.readline()
        assert "demo-secret" not in first + second  # the secret is never printed
        clock = requests.get(url + "/v2/clock", headers={"APCA-API-KEY-ID": "demo-key", "APCA-API-SECRET-KEY": "demo-secret"},
                             timeout=5)
        assert clock.status_code == 200 and clock.json()["is_open"] is True  # 2024-01-02 09:30 ET by default
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
