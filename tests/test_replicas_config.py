"""The nginx configuration deploy/replicas.py generates: complete, and accepted by nginx."""

from __future__ import annotations

import subprocess

import pytest

from deploy.replicas import NginxMissing, nginx_binary, nginx_config

pytestmark = pytest.mark.pure

READERS = ["http://localhost:40001", "http://localhost:40002"]
WRITER = "http://localhost:40003/admin"


def test_the_config_sends_readers_and_the_writer_their_own_paths(tmp_path):
    config = nginx_config(tmp_path, 8640, READERS, WRITER)
    assert "@@" not in config
    assert "server 127.0.0.1:40001;" in config and "server 127.0.0.1:40002;" in config
    assert "server localhost:40003;" in config
    # New clients in turn; then the cookie naming the reader that answered keeps them there.
    upstreams = config[config.index("upstream readers {") :]
    assert "hash" not in upstreams[: upstreams.index("}")]  # round robin
    assert '"127.0.0.1:40001" reader_1;' in config and '"127.0.0.1:40002" reader_2;' in config
    assert "upstream reader_2 {\n        server 127.0.0.1:40002;" in config
    assert "cp_replica=$upstream_addr;" in config and "proxy_pass http://$reader;" in config
    assert "hash $http_x_replica_key consistent;" in config
    assert not any(line.strip().startswith("ip_hash") for line in config.splitlines())
    assert "proxy_set_header Upgrade $http_upgrade;" in config
    assert "location /admin/" in config and "daemon off;" in config
    assert f"pid {tmp_path}/nginx.pid;" in config


def test_nginx_accepts_the_config(tmp_path):
    try:
        binary = nginx_binary()
    except NginxMissing as missing:
        pytest.skip(str(missing))
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "nginx-temp" / name).mkdir(parents=True)
    config = tmp_path / "nginx.conf"
    config.write_text(nginx_config(tmp_path, 8640, READERS, WRITER), encoding="utf-8")
    checked = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
