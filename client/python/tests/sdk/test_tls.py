"""TLS: a server with --tls-cert/--tls-key, a client trusting its CA by path (tls=
or HPSEARCH_TLS_CA, as the CLI's --tls-ca), and a plaintext client refused."""

import shutil
import subprocess

import pytest

import hpsearch

from conftest import start_server


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (scripts/setup.sh installs it)")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
                   check=True, capture_output=True)
    s = start_server(tmp_path_factory, "--tls-cert", str(d / "cert.pem"), "--tls-key", str(d / "key.pem"))
    yield s, d / "cert.pem"
    s.stop()


def test_a_client_trusting_the_servers_ca_connects(tls_server, monkeypatch):
    server, ca = tls_server
    with hpsearch.Client(server.address, tls=str(ca)) as c:
        assert c.server_info().version
    monkeypatch.setenv("HPSEARCH_TLS_CA", str(ca))
    with hpsearch.Client(server.address) as c:
        assert c.server_info().embedded_slots == 2


def test_a_plaintext_client_cannot_talk_to_a_tls_server(tls_server, monkeypatch):
    server, _ = tls_server
    monkeypatch.delenv("HPSEARCH_TLS_CA", raising=False)
    with hpsearch.Client(server.address, retry_seconds=0.3) as c:
        with pytest.raises(hpsearch.Unavailable):
            c.server_info()
