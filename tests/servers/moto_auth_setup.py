#!/usr/bin/env python3
"""Makes the identities the EC2 signing tests use in a moto server that enforces IAM and SigV4.

    moto_auth_setup.py http://127.0.0.1:PORT      (moto started with INITIAL_NO_AUTH_ACTION_COUNT=6)

Creates, with moto's first six unauthenticated calls, a user allowed everything and a user allowed
only ec2:Describe*, each with an access key. Prints shell export lines for scripts/peers.sh. Needs
boto3 (moto depends on it). (moto's STS answers fixed example credentials it does not accept
itself, so session tokens are checked against botocore's signer only.)
"""
import json
import sys

import boto3

endpoint = sys.argv[1]


def client(service, key="x", secret="x", region="us-east-1"):
    return boto3.client(service, region_name=region, endpoint_url=endpoint,
                        aws_access_key_id=key, aws_secret_access_key=secret)


def user(name, actions):
    iam = client("iam")
    iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName=name + "-policy", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


admin = user("skydeck-admin", "*")
reader = user("skydeck-reader", ["ec2:Describe*"])
for name, value in [("ACCESS_KEY", admin[0]), ("SECRET_KEY", admin[1]),
                    ("READER_ACCESS_KEY", reader[0]), ("READER_SECRET_KEY", reader[1])]:
    print("export SKYDECK_TEST_EC2_AUTH_%s='%s'" % (name, value))
