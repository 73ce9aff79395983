#!/usr/bin/env python3
"""The floor of a recursive S3 listing on this endpoint: the same ListObjectsV2 pages (1,000 keys,
continuation tokens) over one keep-alive connection, unsigned (s3rver checks no signature), with
only the token read out of each page: the server's own time plus the network, nothing printed.
Usage: list_floor.py ENDPOINT BUCKET   (prints the number of keys)"""
import http.client
import re
import sys
import urllib.parse

endpoint, bucket = sys.argv[1], sys.argv[2]
u = urllib.parse.urlsplit(endpoint)
conn = http.client.HTTPConnection(u.hostname, u.port)
token, keys = None, 0
while True:
    q = {"list-type": "2", "max-keys": "1000", "encoding-type": "url"}
    if token:
        q["continuation-token"] = token
    conn.request("GET", "/%s?%s" % (bucket, urllib.parse.urlencode(q)))
    body = conn.getresponse().read()
    keys += body.count(b"<Key>")
    m = re.search(rb"<NextContinuationToken>([^<]+)</NextContinuationToken>", body)
    if not m or b"<IsTruncated>true</IsTruncated>" not in body:
        break
    token = m.group(1).decode()
print(keys)
