#!/usr/bin/env python3
"""Uploads a folder tree into a bucket, as `aws s3 sync TREE s3://BUCKET/PREFIX` would, for the
publish tests (Tests/EndToEndTests/PublishEndToEndTests.swift): every regular file under TREE whose
path has no component starting with '.' becomes the object PREFIX + its relative path.

The access key, secret and endpoint come from the environment (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL), never from the command line. Prints the keys it wrote,
one a line.
"""
import argparse
import os

import boto3

parser = argparse.ArgumentParser()
parser.add_argument("--tree", required=True)
parser.add_argument("--bucket", required=True)
parser.add_argument("--prefix", default="")
args = parser.parse_args()

s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
for folder, dirs, files in os.walk(args.tree):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for name in sorted(files):
        path = os.path.join(folder, name)
        if name.startswith(".") or os.path.islink(path) or not os.path.isfile(path):
            continue
        key = args.prefix + os.path.relpath(path, args.tree).replace(os.sep, "/")
        with open(path, "rb") as f:
            s3.put_object(Bucket=args.bucket, Key=key, Body=f.read())
        print(key, flush=True)
