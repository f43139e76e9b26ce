"""What the CloudFormation tests share: the templates, parsed the way CloudFormation reads them,
and a moto server (a real AWS API emulator in its own process) on 127.0.0.1.

moto's gaps that these tests work around are described where they are met and in
cloudformation/README.md ("What the emulator cannot do").
"""

from __future__ import annotations

import ast
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import decode_str

TEMPLATES_DIR = Path(__file__).resolve().parents[1]
SHADOW_TEMPLATE = TEMPLATES_DIR / "shadow-environment.yaml"
DEPLOYER_TEMPLATE = TEMPLATES_DIR / "deployer-role.yaml"

REGION = "us-east-1"
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

SHADOW_TAG_KEYS = (
    "shadowops:environment",
    "shadowops:repository",
    "shadowops:pull-request",
    "shadowops:commit",
    "shadowops:expires-at",
)

# moto seeds only Amazon Linux's public SSM parameters and refuses to create names under /aws
# (as AWS does), and it resolves an SSM-typed parameter's default even when a value is passed.
# So the template it gets points the default at an image parameter moto has; the real default
# is checked separately (test_host_image_defaults_to_ubuntu_24_04).
UBUNTU_IMAGE_PARAMETER = (
    "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"
)
MOTO_IMAGE_PARAMETER = (
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
)


def load_template(path: Path) -> dict[str, Any]:
    """The template as CloudFormation sees it (short-form tags such as !Sub become Fn::Sub)."""
    template, matches = decode_str(path.read_text())
    assert not matches, f"{path.name} does not parse: {matches}"
    return template


def template_body_for_moto(path: Path) -> str:
    body = path.read_text()
    return body.replace(UBUNTU_IMAGE_PARAMETER, MOTO_IMAGE_PARAMETER)


def parse_policy_document(document: Any) -> dict[str, Any]:
    """A policy document as moto returns it: a dict, a JSON string, or (for role policies that
    CloudFormation passed as objects) the Python repr of a dict."""
    if isinstance(document, dict):
        return document
    try:
        return json.loads(document)
    except json.JSONDecodeError:
        return ast.literal_eval(document)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MotoServer:
    """`moto_server` from this interpreter's virtualenv, on a free port of 127.0.0.1."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("w")
        moto_server = Path(sys.executable).with_name("moto_server")
        self._process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._log_path = log_path
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"moto_server exited with {self._process.returncode}:\n"
                    + self._log_path.read_text()
                )
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"moto_server did not answer on {self.url} within {timeout}s"
        )

    def reset(self) -> None:
        """Forgets every resource, so each test starts from an empty account."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def client(self, service: str) -> Any:
        return boto3.client(
            service, endpoint_url=self.url, region_name=REGION, **FAKE_CREDENTIALS
        )

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()

    def log(self) -> str:
        return self._log_path.read_text()


def tags_of(described: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in described.get("Tags", [])}


def outputs_of(stack: dict[str, Any]) -> dict[str, str]:
    return {
        output["OutputKey"]: output["OutputValue"]
        for output in stack.get("Outputs", [])
    }
