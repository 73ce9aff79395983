#!/usr/bin/env python3
"""Writes N small objects straight into an s3rver data directory (its on-disk layout:
KEY._S3rver_object, KEY._S3rver_object.md5, KEY._S3rver_metadata.json), so a 100,000-key listing
benchmark does not spend many minutes uploading. Keys are spread over folders like a dataset:
  shard-XXX/part-YYYYYY.csv   (FOLDERS folders, default 100; 1 puts every key in shard-000/)
Usage: make_s3rver_objects.py DATA_DIR BUCKET COUNT [FOLDERS]"""
import hashlib
import os
import sys

data_dir, bucket, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
folders = int(sys.argv[4]) if len(sys.argv) > 4 else 100
root = os.path.join(data_dir, bucket)
os.makedirs(root, exist_ok=True)
meta = b'{\n  "content-type": "text/csv"\n}'
for i in range(count):
    folder = os.path.join(root, "shard-%03d" % (i % folders))
    os.makedirs(folder, exist_ok=True)
    body = b"id,value\n%d,%d\n" % (i, i * 7)
    base = os.path.join(folder, "part-%06d.csv" % i)
    with open(base + "._S3rver_object", "wb") as f:
        f.write(body)
    with open(base + "._S3rver_object.md5", "w") as f:
        f.write(hashlib.md5(body).hexdigest())
    with open(base + "._S3rver_metadata.json", "wb") as f:
        f.write(meta)
