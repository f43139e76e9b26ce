"""Print one Secrets Manager secret as JSON on stdout: {"secret": {...}} or {"error": "..."}.

Reads {"secret_arn", "region"} from stdin. Runs on the host with the virtualenv's boto3 and
the instance profile's credentials. Errors never contain the secret's value, so the role can
show them while the task that ran this script hides its output (no_log).
"""

import json
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError

request = json.load(sys.stdin)
try:
    client = boto3.client("secretsmanager", region_name=request.get("region") or None)
    value = client.get_secret_value(SecretId=request["secret_arn"])["SecretString"]
    print(json.dumps({"secret": json.loads(value)}))
except (BotoCoreError, ClientError) as error:
    print(json.dumps({"error": f"reading secret {request['secret_arn']}: {error}"}))
except ValueError:
    print(
        json.dumps(
            {"error": f"secret {request['secret_arn']} does not hold a JSON object"}
        )
    )
