#!/usr/bin/python3
"""boto3 (Debian's python3-boto3) against `facealert serve`, unchanged: only
endpoint_url points at the local server. Called by test-serve-api.c:

    serve-boto3.py URL PHOTO OTHER_PHOTO START END STREAM

Credentials come from AWS_SHARED_CREDENTIALS_FILE (the server's key pair).
Prints "boto3: all checks passed" and exits 0, or fails with a traceback."""
import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile
import types
from unittest import mock

import boto3
import botocore
import botocore.auth
from botocore.config import Config
from botocore.exceptions import ClientError

url, photo, other_photo, start, end, stream = sys.argv[1:7]
start, end = float(start), float(end)
config = Config(retries={"max_attempts": 1})


def client(service, **kw):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        config=kw.pop("config", config), **kw)


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("the call was not refused")


rek = client("rekognition")

# list_faces: what the CLI enrolled.
faces = rek.list_faces(CollectionId="home")["Faces"]
assert any(f["ExternalImageId"] == "John_Lennon" for f in faces), faces

# index_faces with raw bytes (boto3 base64-encodes them), then search.
with open(other_photo, "rb") as f:
    indexed = rek.index_faces(CollectionId="home", Image={"Bytes": f.read()},
                              ExternalImageId="Anthony_Hopkins", MaxFaces=1)
assert len(indexed["FaceRecords"]) == 1, indexed
hopkins = indexed["FaceRecords"][0]["Face"]["FaceId"]
with open(photo, "rb") as f:
    found = rek.search_faces_by_image(CollectionId="home", Image={"Bytes": f.read()},
                                      FaceMatchThreshold=30, MaxFaces=5)
assert found["FaceMatches"], found
assert found["FaceMatches"][0]["Face"]["ExternalImageId"] == "John_Lennon", found
assert all(m["Face"]["FaceId"] != hopkins or m["Similarity"] < found["FaceMatches"][0]["Similarity"]
           for m in found["FaceMatches"])

# Pagination: two faces, one per page.
page = rek.list_faces(CollectionId="home", MaxResults=1)
assert len(page["Faces"]) == 1 and "NextToken" in page, page
rest = rek.list_faces(CollectionId="home", MaxResults=1, NextToken=page["NextToken"])
assert len(rest["Faces"]) == 1 and "NextToken" not in rest, rest
assert page["Faces"][0]["FaceId"] != rest["Faces"][0]["FaceId"]
rek.delete_faces(CollectionId="home", FaceIds=[hopkins])

# Kinesis Video Streams.
kv = client("kinesisvideo")
endpoint = kv.get_data_endpoint(StreamName=stream, APIName="GET_CLIP")["DataEndpoint"]
assert endpoint == url, endpoint
media = client("kinesis-video-archived-media")
when = {"StartTimestamp": datetime.datetime.fromtimestamp(start - 1, datetime.timezone.utc),
        "EndTimestamp": datetime.datetime.fromtimestamp(end + 1, datetime.timezone.utc)}
fragments = media.list_fragments(StreamName=stream, FragmentSelector={
    "FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": when})["Fragments"]
assert fragments and fragments[0]["FragmentNumber"] == "1", fragments
assert isinstance(fragments[0]["ProducerTimestamp"], datetime.datetime)

# By server time (botocore sends whole seconds: widen the range by one).
second = datetime.timedelta(seconds=1)
clip = media.get_clip(StreamName=stream, ClipFragmentSelector={
    "FragmentSelectorType": "SERVER_TIMESTAMP", "TimestampRange": {
        "StartTimestamp": fragments[0]["ServerTimestamp"] - second,
        "EndTimestamp": fragments[-1]["ServerTimestamp"] + second}})
assert clip["ContentType"] == "video/mp4", clip["ContentType"]
with tempfile.NamedTemporaryFile(suffix=".mp4") as out:
    out.write(clip["Payload"].read())
    out.flush()
    probe = json.loads(subprocess.check_output(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json",
         out.name]))
    assert float(probe["format"]["duration"]) > 1.0, probe

images = media.get_images(StreamName=stream, ImageSelectorType="PRODUCER_TIMESTAMP",
                          StartTimestamp=when["StartTimestamp"],
                          EndTimestamp=when["EndTimestamp"], SamplingInterval=3000,
                          Format="PNG", MaxResults=2)
assert len(images["Images"]) == 2, images
png = base64.b64decode(images["Images"][0]["ImageContent"])
assert png.startswith(b"\x89PNG"), png[:8]
assert "NextToken" in images
more = media.get_images(StreamName=stream, ImageSelectorType="PRODUCER_TIMESTAMP",
                        StartTimestamp=when["StartTimestamp"],
                        EndTimestamp=when["EndTimestamp"], SamplingInterval=3000,
                        Format="JPEG", MaxResults=2, NextToken=images["NextToken"])
assert more["Images"] and more["Images"][0]["TimeStamp"] > images["Images"][1]["TimeStamp"]

# Refused: a wrong secret, unsigned, a stale date (botocore's own signer with
# its clock 20 minutes behind).
session = boto3.session.Session()
real = session.get_credentials().get_frozen_credentials()
wrong = boto3.client("rekognition", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id=real.access_key,
                     aws_secret_access_key=real.secret_key + "x", config=config)
assert error_code(lambda: wrong.list_collections()) == ("InvalidSignatureException", 403)
unsigned = client("rekognition", config=Config(signature_version=botocore.UNSIGNED,
                                               retries={"max_attempts": 1}))
assert error_code(lambda: unsigned.list_collections()) == (
    "MissingAuthenticationTokenException", 403)
unsigned_kv = client("kinesis-video-archived-media",
                     config=Config(signature_version=botocore.UNSIGNED,
                                   retries={"max_attempts": 1}))
assert error_code(lambda: unsigned_kv.list_fragments(StreamName=stream))[1] == 403
past = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)


class PastDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return past


signer = botocore.auth.AUTH_TYPE_MAPS["v4"].__module__   # botocore.auth or botocore.crt.auth
clock = types.SimpleNamespace(datetime=PastDatetime, timezone=datetime.timezone,
                              timedelta=datetime.timedelta)
with mock.patch(signer + ".datetime", clock):
    code = error_code(lambda: rek.list_collections())
assert code == ("InvalidSignatureException", 403), code

print("boto3: all checks passed")
