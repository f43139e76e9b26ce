"""Print the warehouse connection URI as JSON on stdout: {"uri": "..."} or {"error": "..."}.

Reads the settings as JSON from stdin: secret_arn, region, host, port, database, user,
password, sslmode, sslrootcert. With a secret_arn the login comes from Secrets Manager (the
host's instance profile), and so do host, port and database where the settings leave them
empty. The sslmodes that verify the server's certificate carry sslrootcert, the CA file,
which must hold a certificate. Errors name what is missing or what AWS said, never a secret
value.
"""

import json
import sys
from urllib.parse import quote


class SettingsError(Exception):
    """The connection cannot be built; the message says why, without a secret value."""


VERIFYING_SSLMODES = ("verify-ca", "verify-full")
CA_VARIABLE = "shadowops_connections_warehouse_sslrootcert"


def checked_ca_file(sslmode, path):
    """`path`, once it is known to hold a PEM certificate: libpq would only find out when
    the first task connects, with a message that names neither the role nor its variable."""
    why = f"sslmode {sslmode} checks the warehouse's certificate against a CA file"
    if not path:
        raise SettingsError(
            f"{why}, and none is given: set {CA_VARIABLE} to the host's CA bundle"
        )
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            pem = file.read()
    except OSError as error:
        raise SettingsError(
            f"{why}: {CA_VARIABLE} is {path}, which cannot be read ({error.strerror}): "
            "set it to the host's CA bundle or to a file with the warehouse's CA"
        ) from None
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise SettingsError(
            f"{why}: {CA_VARIABLE} is {path}, which holds no PEM certificate"
        )
    return path


def from_secret(arn, region):
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = boto3.client("secretsmanager", region_name=region or None)
        value = client.get_secret_value(SecretId=arn)["SecretString"]
    except (BotoCoreError, ClientError) as error:
        raise SettingsError(
            f"reading the warehouse secret {arn}: {error}. The host reads it with its instance profile: "
            "check that the profile allows secretsmanager:GetSecretValue on it and that the region is the secret's"
        ) from None
    try:
        secret = json.loads(value)
    except ValueError:
        secret = None
    if isinstance(secret, dict):
        return secret
    raise SettingsError(f"the warehouse secret {arn} does not hold a JSON object")


def connection_uri(settings):
    secret = (
        from_secret(settings["secret_arn"], settings["region"])
        if settings["secret_arn"]
        else {}
    )
    user = secret.get("username") or settings["user"]
    password = secret.get("password") or settings["password"]
    host = settings["host"] or secret.get("host")
    port = settings["port"] or secret.get("port")
    database = settings["database"] or secret.get("dbname")
    where = (
        f"the warehouse secret {settings['secret_arn']}"
        if settings["secret_arn"]
        else "the variables"
    )
    missing = [
        name
        for name, value in [
            ("user", user),
            ("password", password),
            ("host", host),
            ("database", database),
        ]
        if not value
    ]
    if missing:
        raise SettingsError(
            f"the warehouse connection has no {', '.join(missing)}: set it in {where}"
        )
    sslmode = settings["sslmode"]
    extras = f"sslmode={quote(sslmode, safe='')}"
    # Only for the modes that ask for verification: given a CA file, libpq would verify
    # under `require` too, which is then no longer what the variable says.
    if sslmode in VERIFYING_SSLMODES:
        ca_file = checked_ca_file(sslmode, settings.get("sslrootcert", ""))
        extras += f"&sslrootcert={quote(ca_file, safe='')}"
    credentials = f"{quote(str(user), safe='')}:{quote(str(password), safe='')}"
    return f"postgres://{credentials}@{host}:{port}/{quote(str(database), safe='')}?{extras}"


try:
    print(json.dumps({"uri": connection_uri(json.load(sys.stdin))}))
except SettingsError as error:
    print(json.dumps({"error": str(error)}))
