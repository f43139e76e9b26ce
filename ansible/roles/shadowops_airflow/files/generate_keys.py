"""Write the Airflow keys of this host to a new JSON file (mode 0600), given as argv[1].

fernet_key encrypts connection passwords in the metadata database; secret_key signs the
api-server's sessions; jwt_secret signs the tokens of the API and the task workers. They are
made once on the host and never leave it.
"""

import base64
import json
import os
import secrets
import sys

keys = {
    "fernet_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    "secret_key": secrets.token_hex(32),
    "jwt_secret": secrets.token_hex(64),
}
descriptor = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
with os.fdopen(descriptor, "w") as keys_file:
    json.dump(keys, keys_file)
