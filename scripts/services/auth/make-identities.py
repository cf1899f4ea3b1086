"""Generates the per-run test identities and secrets of auth.sh (one process, so setup stays fast).

Usage: make-identities.py AUTH_DIR AWS_ACCOUNT EKS_CLUSTER_ID EKS_WEBHOOK_PORT OAUTH_ISSUER_PORT OAUTH_AUDIENCE
Writes into AUTH_DIR:
  msk-iam-identities.tsv  access key id, secret, principal ARN[, session token]  (the AWS_MSK_IAM verifier)
  eks-webhook.json        the TokenReview webhook's config (identities, cluster id, TLS files)
  token-issuer.json       the OAuth issuer's config (clients and their secrets, audience, signing key file)
  credentials.env         export lines for env.sh: what clients need to authenticate
"""

import json
import secrets
import string
import sys

auth, account, cluster, webhook_port, issuer_port, audience = sys.argv[1:]
ALNUM = string.ascii_letters + string.digits
# Real secret access keys contain '+' and '/': keeps the signers' and verifiers' encoding honest.
AWS_SECRET = ALNUM + "+/"


def rand(n: int, alphabet: str) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def key_id(prefix: str) -> str:
    return prefix + rand(16, string.ascii_uppercase + "234567")


aws = [
    {"env": "", "key": key_id("AKIA"), "secret": rand(40, AWS_SECRET),
     "arn": f"arn:aws:iam::{account}:user/landscape-ci", "groups": ["landscape:deployers"]},
    {"env": "READONLY_", "key": key_id("AKIA"), "secret": rand(40, AWS_SECRET),
     "arn": f"arn:aws:iam::{account}:user/landscape-readonly", "groups": []},
    {"env": "SESSION_", "key": key_id("ASIA"), "secret": rand(40, AWS_SECRET), "token": rand(120, AWS_SECRET),
     "arn": f"arn:aws:sts::{account}:assumed-role/landscape-deployer/ci-session", "groups": ["landscape:deployers"]},
]
oauth = {
    "landscape-ci": {"secret": rand(32, ALNUM), "subject": "svc-landscape-ci"},
    "landscape-expired": {"secret": rand(32, ALNUM), "subject": "svc-landscape-expired", "expiresInSeconds": -600},
    "landscape-wrong-audience": {"secret": rand(32, ALNUM), "subject": "svc-landscape-other",
                                 "audience": "some-other-api"},
}

with open(f"{auth}/msk-iam-identities.tsv", "w") as f:
    for a in aws:
        f.write("\t".join([a["key"], a["secret"], a["arn"]] + ([a["token"]] if "token" in a else [])) + "\n")

with open(f"{auth}/eks-webhook.json", "w") as f:
    json.dump({
        "host": "127.0.0.1", "port": int(webhook_port), "clusterId": cluster,
        "tlsCertFile": f"{auth}/eks-webhook.crt", "tlsKeyFile": f"{auth}/eks-webhook.key",
        "identities": [
            {"accessKeyId": a["key"], "secretAccessKey": a["secret"], "arn": a["arn"], "username": a["arn"],
             "groups": a["groups"], **({"sessionToken": a["token"]} if "token" in a else {})}
            for a in aws
        ],
    }, f, indent=2)

with open(f"{auth}/token-issuer.json", "w") as f:
    json.dump({"host": "127.0.0.1", "port": int(issuer_port), "audience": audience, "tokenLifetimeSeconds": 3600,
               "signingKeyFile": f"{auth}/issuer-signing.key", "clients": oauth}, f, indent=2)

with open(f"{auth}/credentials.env", "w") as f:
    for a in aws:
        n = a["env"]
        line = f"export AUTH_AWS_{n}ACCESS_KEY_ID={a['key']} AUTH_AWS_{n}SECRET_ACCESS_KEY={a['secret']} AUTH_AWS_{n}ARN={a['arn']}"
        if "token" in a:
            line += f" AUTH_AWS_{n}TOKEN={a['token']}"
        f.write(line + "\n")
    f.write(f"export OAUTH_CLIENT_ID=landscape-ci OAUTH_CLIENT_SECRET={oauth['landscape-ci']['secret']}"
            " OAUTH_PRINCIPAL=User:svc-landscape-ci\n")
    f.write("export OAUTH_EXPIRED_CLIENT_ID=landscape-expired"
            f" OAUTH_EXPIRED_CLIENT_SECRET={oauth['landscape-expired']['secret']}\n")
    f.write("export OAUTH_WRONG_AUDIENCE_CLIENT_ID=landscape-wrong-audience"
            f" OAUTH_WRONG_AUDIENCE_CLIENT_SECRET={oauth['landscape-wrong-audience']['secret']}\n")
