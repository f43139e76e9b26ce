"""Fixtures of the CloudFormation tests: one moto server per run, an empty account per test.

The clients carry fake credentials and the server's endpoint explicitly, so nothing here can
reach real AWS whatever the environment holds.
"""

from __future__ import annotations

import pytest
from cfn_support import MotoServer


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto_server.log")
    yield server
    server.stop()


@pytest.fixture
def aws(moto_server):
    """The moto server, reset to an empty account for this test."""
    moto_server.reset()
    return moto_server
