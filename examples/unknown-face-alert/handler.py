"""The AWS design's Lambda function: unknown face -> SNS alert.

For each Kinesis record (a Rekognition stream-processor record, as kdssink
sends them from facematch, or as a Rekognition stream processor writes them),
every face that is not a known face (no MatchedFaces) sends one alert through
SNS, once per tracked face.

The same file runs
  - in AWS Lambda (Python 3 runtime, which has boto3): handler
    "handler.lambda_handler", the Kinesis stream as its event source;
  - locally: facealert consume --stream S -- python3 handler.py
    (the Lambda event on stdin; exit status 0 = the batch is done).

Environment:
  SNS_TOPIC_ARN     topic to publish alerts to (required)
  SNS_ENDPOINT      an SNS-compatible endpoint (optional; unset: Amazon SNS)
  AWS_REGION        region (Lambda and `facealert consume` set it)
  ALERT_COOLDOWN_S  seconds between two alerts of one camera (default 60, as
                    alertsink); a stranger still in view when it ends alerts
                    then (their records keep coming while they stay)
  ALERT_STATE_FILE  where the tracks that alerted and the cameras' last alerts
                    are remembered (default
                    /tmp/facealert-unknown-face-alerts.json; in Lambda /tmp
                    lives as long as the warm container)
Credentials: the usual boto3 chain (the function's role in Lambda).

A face is judged unknown only once its track is decided: facematch's records
say "Decided" (false while it is still gathering evidence, and for faces it
never judges, such as a cat's). Records without "Decided" (from Rekognition
itself) count as decided. A failed Publish raises, so the batch fails and is
given again; the alerts already sent are remembered first, so a retry does
not send them twice.
"""
import base64
import json
import os
import sys
import time

import boto3

# A track id seen again after this long, or at an earlier frame offset (the
# camera's pipeline restarted and numbers tracks from 1 again), is a new face.
FORGET_AFTER_S = 300
STATE_FILE = os.environ.get("ALERT_STATE_FILE", "/tmp/facealert-unknown-face-alerts.json")
COOLDOWN_S = float(os.environ.get("ALERT_COOLDOWN_S", "60"))


def _load_state():
    try:
        with open(STATE_FILE, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _save_state(state):
    now = time.time()
    state = {k: v for k, v in state.items() if now - v["seen"] < FORGET_AFTER_S}
    tmp = STATE_FILE + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f)
    os.replace(tmp, STATE_FILE)


def _is_unknown(face):
    return face.get("Decided", True) and not face.get("MatchedFaces")


def _publish(sns, topic, camera, face, video, stream_arn):
    when = time.strftime("%H:%M:%S", time.localtime(video.get("ProducerTimestamp", time.time())))
    line = f"Unknown face at {camera} {when}"
    payload = json.dumps({
        "event": "unknown-face", "camera": camera, "track_id": face.get("TrackId"),
        "time": video.get("ProducerTimestamp"), "stream_arn": stream_arn,
        "video_stream_arn": video.get("StreamArn"), "record": face,
    })
    message = {"default": line, "sms": line, "http": payload, "https": payload,
               "sqs": payload, "lambda": payload}
    sns.publish(TopicArn=topic, Subject=f"Unknown face at {camera}"[:99],
                Message=json.dumps(message), MessageStructure="json",
                MessageAttributes={
                    "camera": {"DataType": "String", "StringValue": camera},
                    "event": {"DataType": "String", "StringValue": "unknown-face"}})


def lambda_handler(event, context):
    topic = os.environ["SNS_TOPIC_ARN"]
    sns = boto3.client("sns", endpoint_url=os.environ.get("SNS_ENDPOINT") or None)
    state = _load_state()
    alerts = 0
    for item in event["Records"]:
        kinesis = item["kinesis"]
        camera = kinesis["partitionKey"]
        record = json.loads(base64.b64decode(kinesis["data"]))
        video = record.get("InputInformation", {}).get("KinesisVideo", {})
        offset = video.get("FrameOffsetInSeconds", 0)
        frame_time = video.get("ProducerTimestamp", time.time())
        source = item.get("eventSourceARN", "")
        cooldown_key = f"{source}|{camera}|last-alert"
        for face in record.get("FaceSearchResponse", []):
            key = f"{source}|{camera}|{face.get('TrackId')}"
            seen = state.get(key)
            new_track = (seen is None or offset < seen["offset"]
                         or time.time() - seen["seen"] > FORGET_AFTER_S)
            alerted = False if new_track else seen["alerted"]
            last = state.get(cooldown_key, {}).get("time", 0)
            if _is_unknown(face) and not alerted and frame_time - last >= COOLDOWN_S:
                _publish(sns, topic, camera, face, video, source)
                alerted = True
                alerts += 1
                state[key] = {"offset": offset, "seen": time.time(), "alerted": True}
                state[cooldown_key] = {"time": frame_time, "seen": time.time()}
                _save_state(state)     # before the next Publish can fail
            state[key] = {"offset": offset, "seen": time.time(), "alerted": alerted}
    _save_state(state)
    return {"alerts": alerts}


if __name__ == "__main__":
    result = lambda_handler(json.load(sys.stdin), None)
    print(json.dumps(result))
