#!/usr/bin/env python3
"""Sets up a moto S3 server for the s3:// mirror tests (Tests/TestSupport/S3Server.swift).

The server runs with INITIAL_NO_AUTH_ACTION_COUNT=4: the first four calls (IAM: a user, a policy,
its attachment, an access key) are unauthenticated; every later request must be signed. With the
new key, it makes a private bucket and a public-read bucket, each holding FILES from --data-dir
under --prefix, and prints one JSON line: {"access_key_id", "secret_access_key"}.
"""
import argparse
import json
import os

import boto3

parser = argparse.ArgumentParser()
parser.add_argument("--endpoint", required=True)
parser.add_argument("--data-dir", required=True)
parser.add_argument("--private-bucket", required=True)
parser.add_argument("--public-bucket", required=True)
parser.add_argument("--prefix", required=True)
parser.add_argument("--files", nargs="+", required=True)
args = parser.parse_args()

common = dict(endpoint_url=args.endpoint, region_name="us-east-1",
              aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **common)
iam.create_user(UserName="fmnist-test")
policy = iam.create_policy(
    PolicyName="fmnist-test-s3",
    PolicyDocument=json.dumps({"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
iam.attach_user_policy(UserName="fmnist-test", PolicyArn=policy["Policy"]["Arn"])
key = iam.create_access_key(UserName="fmnist-test")["AccessKey"]

s3 = boto3.client("s3", endpoint_url=args.endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
for bucket in (args.private_bucket, args.public_bucket):
    s3.create_bucket(Bucket=bucket)
    for name in args.files:
        with open(os.path.join(args.data_dir, name), "rb") as f:
            s3.put_object(Bucket=bucket, Key=args.prefix + name, Body=f.read())
s3.put_bucket_policy(Bucket=args.public_bucket, Policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::{args.public_bucket}/*"}]}))
print(json.dumps({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}), flush=True)
