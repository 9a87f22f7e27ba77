/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-alertsink
 * @title: alertsink
 *
 * Turns the faces and persons facematch identified into phone alerts through
 * Amazon SNS or any SNS-compatible endpoint (query API Action=Publish,
 * SigV4-signed), and/or an MQTT broker (#FaAlertSink:mqtt-broker) for Home
 * Assistant and Frigate-style automations (docs/mqtt.md). The decisions and
 * the message are lib/alert's (fa-alert-rules.h, fa-alert-message.h); this
 * element maps buffers onto them.
 *
 * Faces arrive as GstVideoRegionOfInterestMeta (roi_type "face") carrying a
 * "facealert/identity" structure (track-id, known, name, face-id, similarity,
 * decided, record, person-track-id); persons as ROIs carrying a
 * "facealert/person" structure (track-id, known, face-track-id; fields in
 * fa-meta.h). Pets and other objects carry neither and never alert.
 * #FaAlertSink:alert-on is a comma list of rules: `unknown` (a face decided
 * unknown, the default), `known` (a face decided known), `person` (a person
 * in view for #FaAlertSink:person-min-duration with no face decided known:
 * the stranger whose face is never seen); `all` is unknown,known. A face or
 * person alerts when its rule is on, its track persisted
 * #FaAlertSink:min-frames frames and #FaAlertSink:min-duration (a person:
 * person-min-duration), it has not alerted yet (one alert per face track and
 * per person: a person whose face alerted raises no person alert, and the
 * face of a person who alerted does not alert again) and the camera's
 * #FaAlertSink:cooldown has passed (one held back by the cooldown alerts when
 * it ends, if still there).
 *
 * Each alert is committed to a durable SQLite outbox before render() returns,
 * once, for every target (SNS when topic-arn or phone-number is set, MQTT
 * when mqtt-broker is): a worker thread per target delivers it (render()
 * never waits on the network), retrying network errors, throttling and an
 * absent broker with exponential backoff, each target on its own. Alerts
 * still pending at shutdown are sent on the next start; on FIFO topics the
 * alert id is the MessageDeduplicationId so a retry never alerts twice. At
 * EOS the element waits up to #FaAlertSink:drain-timeout for the outbox.
 *
 * The household's switches (lib/alert/fa-household.h, shared with the
 * `facealert mode` / `facealert alerts enable|disable` CLI and Home
 * Assistant): while this camera's alerts are switched off it raises none,
 * on any target, and while the household is at home the person rule is off;
 * render() looks at them twice a second.
 *
 * ## MQTT
 * With #FaAlertSink:mqtt-broker, under #FaAlertSink:mqtt-topic-prefix
 * (PREFIX, default "facealert"): PREFIX/alerts (every alert, the same JSON
 * as SNS's http payload, through the outbox: QoS 1, delivered = PUBACK),
 * PREFIX/tracked_object_update (Frigate-shaped face identities),
 * PREFIX/events (new/update/end per track), PREFIX/CAMERA/person,
 * /last_face, /snapshot (JPEG of the last alert), /available,
 * PREFIX/available (online; "offline" also as the last will), and Home
 * Assistant discovery configs (#FaAlertSink:mqtt-discovery-prefix) with an
 * alerts switch per camera (PREFIX/CAMERA/alerts/set ON|OFF) and the
 * household mode (PREFIX/mode/set home|away). The connection is shared by
 * the alertsinks of a process with the same broker, prefix and client id;
 * it reconnects by itself and announces everything again. Credentials:
 * mqtt-user / mqtt-password, else FACEALERT_MQTT_USER /
 * FACEALERT_MQTT_PASSWORD, else a credentials file (0600); never logged.
 *
 * The message: Subject "Unknown face at CAMERA", "NAME at CAMERA" (known) or
 * "Person at CAMERA (face not seen)" (also "(face not recognised)", "(unknown
 * face)"); MessageStructure=json with `default` (what a phone shows: "Unknown
 * face at front-door 14:02:11") and, for http/https/sqs/lambda subscribers, a
 * JSON payload: version, id, event ("unknown-face", "known-face", "person"),
 * rule, camera, time, track_id, known, name, face_id, similarity,
 * face_track_id, face_box {x,y,width,height}, detection_score,
 * person_track_id, person_box, person_score, pts_ns, snapshot {frame, face,
 * person} and record (the Rekognition FaceSearchResponse entry from
 * facematch, when present; dropped with record_omitted when the message would
 * exceed SNS's 256 KiB). MessageAttributes: camera, event. A person alert's
 * snapshots are the frame with the person boxed and the person crop.
 *
 * ## Element messages
 * "facealert/alert", one per alert state change (per target after
 * "queued"):
 *   id (string), status ("queued", "delivered", "retrying", "failed"),
 *   camera (string), target ("sns" or "mqtt"; not for "queued"), and for
 *   "queued": track-id (guint64: the face track, or the person track for a
 *   person alert), event (string), subject (string), person-track-id
 *   (guint64, when a person is involved), snapshot-frame / snapshot-face /
 *   snapshot-person (string, may be absent);
 *   for "delivered": message-id (string), attempts (guint),
 *   queued-time / delivered-time (gint64, real time in µs);
 *   for "retrying": error (string), attempts, retry-in (guint64 ns);
 *   for "failed": error (string), attempts.
 * "facealert/switches", at start and whenever the household's switches
 * change: camera (string), alerts (gboolean), mode ("home" or "away").
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 rtspsrc location=rtsp://cam1/ ! rtph264depay ! h264parse ! avdec_h264 ! \
 *   videoconvert ! facedetect ! facematch collection=home ! \
 *   alertsink camera=front-door topic-arn=arn:aws:sns:eu-west-3:123456789012:home-alerts region=eu-west-3
 * ]|
 * With persons and pets, and the person rule:
 * |[
 * gst-launch-1.0 rtspsrc location=rtsp://cam1/ ! rtph264depay ! h264parse ! avdec_h264 ! \
 *   videoconvert ! objectdetect ! facedetect ! facematch collection=home ! \
 *   alertsink camera=garden alert-on=unknown,person topic-arn=arn:aws:sns:eu-west-3:123456789012:home-alerts region=eu-west-3
 * ]|
 * MQTT only, for Home Assistant:
 * |[
 * gst-launch-1.0 rtspsrc location=rtsp://cam1/ ! rtph264depay ! h264parse ! avdec_h264 ! \
 *   videoconvert ! facedetect ! facematch collection=home ! \
 *   alertsink camera=front-door mqtt-broker=mqtt://homeassistant.local:1883
 * ]|
 * Credentials: access-key/secret-key/session-token, else AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, else ~/.aws/credentials
 * (profile, else AWS_PROFILE, else default). They are never logged.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstalertsink.h"
#include "fa-elements.h"
#include "fa-meta.h"
#include "fa-aws-element.h"

#include "fa-alert-message.h"
#include "fa-alert-rules.h"
#include "fa-error.h"
#include "fa-household.h"
#include "fa-mqtt-camera.h"
#include "fa-mqtt-notifier.h"
#include "fa-outbox.h"
#include "fa-paths.h"
#include "fa-secret.h"
#include "fa-snapshot.h"
#include "fa-sns.h"
#include "fa-sns-notifier.h"

#include <gst/video/video.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (fa_alert_sink_debug);
#define GST_CAT_DEFAULT fa_alert_sink_debug

#define DEFAULT_PROP_ALERT_ON "unknown"
#define DEFAULT_PROP_MIN_FRAMES 5
#define DEFAULT_PROP_MIN_DURATION 0
#define DEFAULT_PROP_PERSON_MIN_DURATION (2 * GST_SECOND)
#define DEFAULT_PROP_COOLDOWN (60 * GST_SECOND)
#define DEFAULT_PROP_SNAPSHOTS TRUE
#define DEFAULT_PROP_DRAIN_TIMEOUT (5 * GST_SECOND)
#define DEFAULT_PROP_RETRY_INITIAL (500 * GST_MSECOND)
#define DEFAULT_PROP_RETRY_MAX (60 * GST_SECOND)
#define DEFAULT_PROP_MQTT_TOPIC_PREFIX "facealert"
#define DEFAULT_PROP_MQTT_DISCOVERY_PREFIX "homeassistant"
#define TRACK_TIMEOUT (10 * GST_SECOND)
/* MQTT track events: a track unseen this long has left. */
#define TRACK_END_TIMEOUT (2 * GST_SECOND)
/* How often render() looks at the household's switches (a stat()). */
#define HOUSEHOLD_CHECK_US (500 * G_TIME_SPAN_MILLISECOND)

enum
{
  PROP_0,
  PROP_ALERT_ON,
  PROP_MIN_FRAMES,
  PROP_MIN_DURATION,
  PROP_PERSON_MIN_DURATION,
  PROP_COOLDOWN,
  PROP_TOPIC_ARN,
  PROP_PHONE_NUMBER,
  PROP_AWS_FIRST,               /* endpoint ... request-timeout */
  PROP_AWS_LAST = PROP_AWS_FIRST + FA_AWS_N_PROPS - 1,
  PROP_CAMERA,
  PROP_SNAPSHOTS,
  PROP_SNAPSHOT_DIR,
  PROP_OUTBOX_LOCATION,
  PROP_DRAIN_TIMEOUT,
  PROP_RETRY_INITIAL,
  PROP_RETRY_MAX,
  PROP_MQTT_BROKER,
  PROP_MQTT_TOPIC_PREFIX,
  PROP_MQTT_USER,
  PROP_MQTT_PASSWORD,
  PROP_MQTT_CREDENTIALS_FILE,
  PROP_MQTT_CLIENT_ID,
  PROP_MQTT_CA_FILE,
  PROP_MQTT_DISCOVERY_PREFIX,
};

#define VIDEO_FORMATS "{ I420, YV12, NV12, NV21, GRAY8, RGB, BGR, RGBx, RGBA, " \
  "BGRx, BGRA, xRGB, ARGB, xBGR, ABGR }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

struct _FaAlertSink
{
  GstBaseSink parent;

  /* properties (object lock) */
  gchar *alert_on;
  guint min_frames;
  guint64 min_duration;
  guint64 person_min_duration;
  guint64 cooldown;
  gchar *topic_arn;
  gchar *phone_number;
  FaAwsSettings aws;            /* SNS; request-timeout for MQTT too */
  gchar *camera;
  gboolean snapshots;
  gchar *snapshot_dir;
  gchar *outbox_location;
  guint64 drain_timeout;
  guint64 retry_initial;
  guint64 retry_max;
  gchar *mqtt_broker;
  gchar *mqtt_topic_prefix;
  gchar *mqtt_user;
  gchar *mqtt_password;
  gchar *mqtt_credentials_file;
  gchar *mqtt_client_id;
  gchar *mqtt_ca_file;
  gchar *mqtt_discovery_prefix;

  /* state (streaming thread, between start and stop) */
  GstVideoInfo info;
  gboolean have_info;
  FaAlertRules *rules;
  FaOutbox *outbox;
  gchar *camera_name;
  gchar *snapshot_path;
  gchar *group_id;
  gchar *target_topic;
  gchar *target_phone;
  gboolean has_sns;
  gint failing;          /* worker: a retry streak is under way (bit per target) */
  FaMqtt *mqtt;
  FaMqttCamera *mqtt_camera;
  guint mqtt_listener;
  gint mqtt_down;        /* MQTT thread: the broker is away (warned) */
  FaHousehold *household;
  gint64 household_checked_us;
};

#define fa_alert_sink_parent_class parent_class
G_DEFINE_TYPE (FaAlertSink, fa_alert_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE (alertsink, "alertsink", GST_RANK_NONE,
    FA_TYPE_ALERT_SINK);

static void
post_alert_message (FaAlertSink * self, GstStructure * s)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* The failing bit and the words for a delivery target. */
static gint
target_bit (const gchar * target)
{
  return g_strcmp0 (target, FA_MQTT_TARGET) == 0 ? 2 : 1;
}

static const gchar *
target_label (const gchar * target)
{
  return g_strcmp0 (target, FA_MQTT_TARGET) == 0 ? "the MQTT broker" : "SNS";
}

/* Sets (@on) or clears @bit of self->failing; TRUE when it changed. */
static gboolean
set_failing (FaAlertSink * self, gint bit, gboolean on)
{
  while (TRUE) {
    gint old = g_atomic_int_get (&self->failing);
    gint new = on ? old | bit : old & ~bit;
    if (old == new)
      return FALSE;
    if (g_atomic_int_compare_and_exchange (&self->failing, old, new))
      return TRUE;
  }
}

/* Outbox worker threads (one per target). */
static void
on_outbox_event (const FaOutboxEvent * event, gpointer user_data)
{
  FaAlertSink *self = user_data;
  GstStructure *s;
  const gchar *target = event->target;

  switch (event->state) {
    case FA_OUTBOX_QUEUED:
      return;                   /* posted by render() with more detail */
    case FA_OUTBOX_DELIVERED:
      GST_INFO_OBJECT (self, "alert %s delivered to %s as %s", event->id,
          target, event->message_id);
      if (set_failing (self, target_bit (target), FALSE))
        GST_ELEMENT_INFO (self, RESOURCE, WRITE, ("%s reachable again",
                target_label (target)), ("alert %s delivered after %u attempts",
                event->id, event->attempts));
      s = gst_structure_new ("facealert/alert", "id", G_TYPE_STRING, event->id,
          "status", G_TYPE_STRING, "delivered", "camera", G_TYPE_STRING,
          self->camera_name, "target", G_TYPE_STRING, target,
          "message-id", G_TYPE_STRING, event->message_id,
          "attempts", G_TYPE_UINT, event->attempts, "queued-time", G_TYPE_INT64,
          event->queued_us, "delivered-time", G_TYPE_INT64,
          event->delivered_us, NULL);
      break;
    case FA_OUTBOX_RETRYING:
      GST_DEBUG_OBJECT (self, "alert %s to %s: %s", event->id, target,
          event->error->message);
      if (set_failing (self, target_bit (target), TRUE))
        GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
            ("Cannot deliver alerts to %s yet; they are kept and retried.",
                target_label (target)), ("%s", event->error->message));
      s = gst_structure_new ("facealert/alert", "id", G_TYPE_STRING, event->id,
          "status", G_TYPE_STRING, "retrying", "camera", G_TYPE_STRING,
          self->camera_name, "target", G_TYPE_STRING, target,
          "error", G_TYPE_STRING, event->error->message,
          "attempts", G_TYPE_UINT, event->attempts, "retry-in", G_TYPE_UINT64,
          (guint64) event->retry_in_us * 1000, NULL);
      break;
    case FA_OUTBOX_FAILED:
    default:
      GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
          ("Alert %s was refused by %s and will not be retried: %s", event->id,
              target_label (target), event->error->message),
          ("camera %s", self->camera_name));
      s = gst_structure_new ("facealert/alert", "id", G_TYPE_STRING, event->id,
          "status", G_TYPE_STRING, "failed", "camera", G_TYPE_STRING,
          self->camera_name, "target", G_TYPE_STRING, target,
          "error", G_TYPE_STRING, event->error->message,
          "attempts", G_TYPE_UINT, event->attempts, NULL);
      break;
  }
  post_alert_message (self, s);
}

/* MQTT connection thread: warn once per outage, say when it is back. */
static void
on_mqtt_state (FaMqtt * mqtt, gboolean connected, const gchar * error,
    gpointer user_data)
{
  FaAlertSink *self = user_data;
  if (connected && g_atomic_int_compare_and_exchange (&self->mqtt_down, 1, 0))
    GST_ELEMENT_INFO (self, RESOURCE, WRITE, ("MQTT broker reachable again"),
        (NULL));
  else if (!connected && g_atomic_int_compare_and_exchange (&self->mqtt_down, 0, 1))
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_WRITE,
        ("Cannot reach the MQTT broker; retrying (alerts are kept): %s", error),
        (NULL));
  GST_DEBUG_OBJECT (self, "MQTT %s%s%s", connected ? "connected" : "disconnected",
      error != NULL ? ": " : "", error != NULL ? error : "");
}

/* Applies the household's switches to the rules; posts "facealert/switches"
 * when they changed (or @force). */
static void
apply_household (FaAlertSink * self, gboolean force)
{
  gboolean on = fa_household_get_alerts (self->household, self->camera_name);
  FaHouseholdMode mode = fa_household_get_mode (self->household);
  gboolean was = fa_alert_rules_get_enabled (self->rules);
  fa_alert_rules_set_enabled (self->rules, on);
  fa_alert_rules_set_away (self->rules, mode == FA_HOUSEHOLD_AWAY);
  if (on != was || force) {
    GST_INFO_OBJECT (self, "alerts %s, household mode %s", on ? "on" : "off",
        fa_household_mode_name (mode));
    post_alert_message (self, gst_structure_new ("facealert/switches",
            "camera", G_TYPE_STRING, self->camera_name,
            "alerts", G_TYPE_BOOLEAN, on,
            "mode", G_TYPE_STRING, fa_household_mode_name (mode), NULL));
  }
}

/* Streaming thread: at most a stat() every HOUSEHOLD_CHECK_US. */
static void
check_household (FaAlertSink * self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  if (!force && now - self->household_checked_us < HOUSEHOLD_CHECK_US)
    return;
  self->household_checked_us = now;
  gboolean changed = FALSE;
  GError *error = NULL;
  if (!fa_household_refresh (self->household, &changed, &error)) {
    GST_ELEMENT_WARNING (self, RESOURCE, READ, ("%s", error->message), (NULL));
    g_clear_error (&error);
  }
  if (changed || force)
    apply_household (self, force || changed);
}

static void release_mqtt (FaAlertSink * self);

/* The SNS target, or NULL with an element error posted. */
static FaNotifier *
start_sns (FaAlertSink * self, const FaAwsSettings * aws)
{
  GError *error = NULL;
  FaAwsCredentials *credentials = fa_aws_settings_resolve (aws,
      GST_ELEMENT (self), GST_CAT_DEFAULT);
  if (credentials == NULL)
    return NULL;
  FaSnsClient *client = fa_sns_client_new (aws->endpoint, aws->region,
      credentials, &error);
  fa_aws_credentials_free (credentials);
  if (client == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
    g_clear_error (&error);
    return NULL;
  }
  fa_sns_client_set_timeout (client, aws->request_timeout / GST_MSECOND);
  GST_INFO_OBJECT (self, "SNS endpoint %s", fa_sns_client_get_endpoint (client));
  return fa_sns_notifier_new (client);
}

/* The MQTT connection, this camera on it and the MQTT target; FALSE with
 * an element error posted. Takes @config. */
static gboolean
start_mqtt (FaAlertSink * self, FaMqttConfig * config, const gchar * user,
    const gchar * password, const gchar * credentials_file,
    guint64 request_timeout, guint min_frames, FaNotifier ** target)
{
  GError *error = NULL;
  gboolean ok = fa_mqtt_check_topic_part (config->prefix, FALSE,
      "mqtt-topic-prefix", &error)
      && fa_mqtt_check_topic_part (self->camera_name, TRUE, "camera", &error)
      && fa_mqtt_config_set_credentials (config, user, password,
      credentials_file, &error)
      && (self->mqtt = fa_mqtt_acquire (config, &error)) != NULL;
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
    g_clear_error (&error);
    fa_mqtt_config_free (config);
    return FALSE;
  }
  gchar *described = fa_mqtt_config_describe (config);
  GST_INFO_OBJECT (self, "MQTT broker %s, topics under %s/", described,
      config->prefix);
  g_free (described);
  fa_mqtt_config_free (config);
  self->mqtt_down = 0;
  self->mqtt_listener = fa_mqtt_add_state_listener (self->mqtt, on_mqtt_state, self);
  self->mqtt_camera = fa_mqtt_camera_new (self->mqtt, self->camera_name, NULL,
      VERSION, min_frames, TRACK_END_TIMEOUT);
  *target = fa_mqtt_notifier_new (self->mqtt, (gint64) request_timeout / 1000);
  return TRUE;
}

static gboolean
fa_alert_sink_start (GstBaseSink * sink)
{
  FaAlertSink *self = FA_ALERT_SINK (sink);
  GError *error = NULL, *url_error = NULL;
  FaNotifier *targets[2] = { NULL, NULL };
  guint n_targets = 0;
  FaMqttConfig *mqtt_config = NULL;
  FaAwsSettings aws = { 0 };
  gchar *mqtt_user, *mqtt_password, *mqtt_credentials_file;
  gchar *outbox_path;

  GST_OBJECT_LOCK (self);
  self->camera_name = self->camera != NULL && *self->camera != '\0'
      ? g_strdup (self->camera) : g_strdup (GST_OBJECT_NAME (self));
  self->target_topic = g_strdup (self->topic_arn);
  self->target_phone = g_strdup (self->phone_number);
  fa_aws_settings_copy (&aws, &self->aws);
  mqtt_user = g_strdup (self->mqtt_user);
  mqtt_password = g_strdup (self->mqtt_password);
  mqtt_credentials_file = g_strdup (self->mqtt_credentials_file);
  if (self->mqtt_broker != NULL && *self->mqtt_broker != '\0') {
    mqtt_config = fa_mqtt_config_new ();
    if (!fa_mqtt_config_set_url (mqtt_config, self->mqtt_broker, &url_error))
      g_clear_pointer (&mqtt_config, fa_mqtt_config_free);
    else {
      g_free (mqtt_config->prefix);
      mqtt_config->prefix = g_strdup (self->mqtt_topic_prefix);
      g_free (mqtt_config->discovery_prefix);
      mqtt_config->discovery_prefix = g_strdup (self->mqtt_discovery_prefix);
      mqtt_config->client_id = g_strdup (self->mqtt_client_id);
      mqtt_config->ca_file = g_strdup (self->mqtt_ca_file);
      mqtt_config->reconnect_initial_us = self->retry_initial / GST_USECOND;
      mqtt_config->reconnect_max_us = MIN (self->retry_max, 30 * GST_SECOND)
          / GST_USECOND;
    }
  }
  self->group_id = fa_alert_ascii_clean (self->camera_name, 128, TRUE);
  if (self->outbox_location != NULL && *self->outbox_location != '\0') {
    outbox_path = g_strdup (self->outbox_location);
  } else {
    gchar *dir = fa_paths_dir (FA_DIR_OUTBOX);
    gchar *file = g_strconcat (self->group_id, ".sqlite", NULL);
    outbox_path = g_build_filename (dir, file, NULL);
    g_free (dir);
    g_free (file);
  }
  if (self->snapshots) {
    if (self->snapshot_dir != NULL && *self->snapshot_dir != '\0') {
      self->snapshot_path = g_strdup (self->snapshot_dir);
    } else {
      gchar *dir = fa_paths_dir (FA_DIR_SNAPSHOTS);
      self->snapshot_path = g_build_filename (dir, self->group_id, NULL);
      g_free (dir);
    }
  }
  guint alert_on = 0;
  gboolean rules_ok = fa_alert_on_parse (self->alert_on, &alert_on, &error);
  self->rules = fa_alert_rules_new (&(FaAlertRulesConfig) {
        .alert_on = alert_on,.min_frames = self->min_frames,
        .min_duration_ns = (gint64) self->min_duration,
        .person_min_duration_ns = (gint64) self->person_min_duration,
        .cooldown_ns = (gint64) self->cooldown,
        .track_timeout_ns = TRACK_TIMEOUT});
  guint64 retry_initial = self->retry_initial, retry_max = self->retry_max;
  guint min_frames = self->min_frames;
  gboolean wants_mqtt = self->mqtt_broker != NULL && *self->mqtt_broker != '\0';
  GST_OBJECT_UNLOCK (self);

  if (!rules_ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
    goto fail;
  }
  gboolean has_topic = self->target_topic != NULL && *self->target_topic != '\0';
  gboolean has_phone = self->target_phone != NULL && *self->target_phone != '\0';
  self->has_sns = has_topic || has_phone;
  if (has_topic && has_phone) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Set only one of topic-arn (an SNS topic) and phone-number "
            "(direct SMS)."), (NULL));
    goto fail;
  }
  if (!self->has_sns && !wants_mqtt) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Set where alerts go: topic-arn (an SNS topic) or phone-number "
            "(direct SMS), and/or mqtt-broker (mqtt://HOST:PORT)."), (NULL));
    goto fail;
  }
  if (wants_mqtt && mqtt_config == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", url_error->message), (NULL));
    goto fail;
  }
  if (self->has_sns && (targets[n_targets] = start_sns (self, &aws)) == NULL)
    goto fail;
  if (self->has_sns)
    n_targets++;
  if (mqtt_config != NULL) {
    FaMqttConfig *config = g_steal_pointer (&mqtt_config);
    if (!start_mqtt (self, config, mqtt_user, mqtt_password,
            mqtt_credentials_file, aws.request_timeout, min_frames,
            &targets[n_targets]))
      goto fail;
    n_targets++;
  }
  if (self->snapshot_path != NULL
      && !fa_paths_ensure_private_dir (self->snapshot_path, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Cannot create snapshot-dir %s: %s", self->snapshot_path,
            error->message), (NULL));
    goto fail;
  }
  self->outbox = fa_outbox_open (outbox_path, &error);
  if (self->outbox == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE, ("%s", error->message),
        (NULL));
    goto fail;
  }
  GST_INFO_OBJECT (self, "camera %s, outbox %s (%u pending)", self->camera_name,
      outbox_path, fa_outbox_count (self->outbox, FA_OUTBOX_QUEUED));
  fa_outbox_set_backoff (self->outbox, retry_initial / GST_USECOND,
      retry_max / GST_USECOND);
  fa_outbox_set_notify (self->outbox, on_outbox_event, self);
  self->failing = 0;
  fa_outbox_start_targets (self->outbox, targets, n_targets);
  n_targets = 0;

  /* The household's switches, shared with the CLI and Home Assistant. */
  self->household = fa_household_open (NULL);
  check_household (self, TRUE);

  g_clear_error (&error);
  fa_aws_settings_clear (&aws);
  g_free (mqtt_user);
  fa_secret_free (mqtt_password);
  g_free (mqtt_credentials_file);
  g_free (outbox_path);
  return TRUE;

fail:
  g_clear_error (&error);
  g_clear_error (&url_error);
  for (guint i = 0; i < n_targets; i++)
    fa_notifier_free (targets[i]);
  release_mqtt (self);
  fa_mqtt_config_free (mqtt_config);
  fa_aws_settings_clear (&aws);
  g_free (mqtt_user);
  fa_secret_free (mqtt_password);
  g_free (mqtt_credentials_file);
  g_free (outbox_path);
  return FALSE;
}

/* The camera leaves MQTT; the last user of the connection says offline. */
static void
release_mqtt (FaAlertSink * self)
{
  g_clear_pointer (&self->mqtt_camera, fa_mqtt_camera_free);
  if (self->mqtt != NULL) {
    fa_mqtt_remove (self->mqtt, self->mqtt_listener);
    g_clear_pointer (&self->mqtt, fa_mqtt_release);
  }
}

static gboolean
fa_alert_sink_stop (GstBaseSink * sink)
{
  FaAlertSink *self = FA_ALERT_SINK (sink);

  /* Pending alerts stay in the outbox for the next start. The outbox goes
   * first: its MQTT target holds a reference on the connection. */
  g_clear_pointer (&self->outbox, fa_outbox_close);
  release_mqtt (self);
  g_clear_pointer (&self->household, fa_household_free);
  g_clear_pointer (&self->rules, fa_alert_rules_free);
  g_clear_pointer (&self->camera_name, g_free);
  g_clear_pointer (&self->snapshot_path, g_free);
  g_clear_pointer (&self->group_id, g_free);
  g_clear_pointer (&self->target_topic, g_free);
  g_clear_pointer (&self->target_phone, g_free);
  self->have_info = FALSE;
  return TRUE;
}

static gboolean
fa_alert_sink_unlock (GstBaseSink * sink)
{
  FaAlertSink *self = FA_ALERT_SINK (sink);
  if (self->outbox != NULL)
    fa_outbox_set_flushing (self->outbox, TRUE);
  return TRUE;
}

static gboolean
fa_alert_sink_unlock_stop (GstBaseSink * sink)
{
  FaAlertSink *self = FA_ALERT_SINK (sink);
  if (self->outbox != NULL)
    fa_outbox_set_flushing (self->outbox, FALSE);
  return TRUE;
}

static gboolean
fa_alert_sink_set_caps (GstBaseSink * sink, GstCaps * caps)
{
  FaAlertSink *self = FA_ALERT_SINK (sink);
  self->have_info = gst_video_info_from_caps (&self->info, caps);
  return self->have_info;
}

static gboolean
fa_alert_sink_event (GstBaseSink * sink, GstEvent * event)
{
  FaAlertSink *self = FA_ALERT_SINK (sink);

  if ((GST_EVENT_TYPE (event) == GST_EVENT_EOS
          || GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
      && self->mqtt_camera != NULL)
    fa_mqtt_camera_flush (self->mqtt_camera);   /* every track ends */
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && self->outbox != NULL) {
    guint64 timeout;
    GST_OBJECT_LOCK (self);
    timeout = self->drain_timeout;
    GST_OBJECT_UNLOCK (self);
    if (!fa_outbox_wait_idle (self->outbox, timeout / GST_USECOND)) {
      guint pending = fa_outbox_count (self->outbox, FA_OUTBOX_QUEUED);
      if (pending > 0)
        GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
            ("%u alert(s) not delivered yet at end of stream; they stay in the "
                "outbox and are sent at the next start.", pending),
            ("drain-timeout %" GST_TIME_FORMAT, GST_TIME_ARGS (timeout)));
    }
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP && self->rules) {
    fa_alert_rules_reset (self->rules);
  }
  return GST_BASE_SINK_CLASS (parent_class)->event (sink, event);
}

/* A face or a person of the frame: its ROI and facematch's structure. */
typedef struct
{
  GstVideoRegionOfInterestMeta *roi;
  const GstStructure *identity;
  guint64 track_id;
} TrackRef;

static const TrackRef *
find_track (GArray * refs, guint64 track_id)
{
  for (guint i = 0; track_id != 0 && i < refs->len; i++)
    if (g_array_index (refs, TrackRef, i).track_id == track_id)
      return &g_array_index (refs, TrackRef, i);
  return NULL;
}

static FaRect
roi_box (const GstVideoRegionOfInterestMeta * roi)
{
  return (FaRect) { roi->x, roi->y, roi->w, roi->h };
}

static gdouble
param_double (GstVideoRegionOfInterestMeta * roi, const gchar * param,
    const gchar * field)
{
  gdouble value = 0;
  const GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, param);
  if (s != NULL)
    gst_structure_get_double (s, field, &value);
  return value;
}

/* What the alert says, from the face and the person involved (either may be
 * NULL). Strings are borrowed from the metas. */
static void
describe_alert (FaAlert * a, const TrackRef * face, const TrackRef * person)
{
  if (face != NULL) {
    a->has_face = TRUE;
    a->face_track_id = face->track_id;
    a->face_box = roi_box (face->roi);
    a->detection_score = param_double (face->roi, FA_META_DETECTION, "score");
    gst_structure_get_boolean (face->identity, "decided", &a->face_decided);
    gst_structure_get_boolean (face->identity, "known", &a->known);
    gst_structure_get_double (face->identity, "similarity", &a->similarity);
    a->name = gst_structure_get_string (face->identity, "name");
    a->face_id = gst_structure_get_string (face->identity, "face-id");
    a->record = gst_structure_get_string (face->identity, "record");
  }
  if (person != NULL) {
    a->has_person = TRUE;
    a->person_track_id = person->track_id;
    a->person_box = roi_box (person->roi);
    a->person_score = param_double (person->roi, FA_META_OBJECT, "score");
    if (face == NULL) {
      gst_structure_get_uint64 (person->identity, "face-track-id",
          &a->face_track_id);
      gst_structure_get_boolean (person->identity, "decided", &a->face_decided);
    }
  }
}

/* Writes the alert's snapshots: the frame with its boxes, the face crop and
 * (person rule) the person crop. Sets their paths in @a (owned by @paths). */
static void
write_snapshots (FaAlertSink * self, GstBuffer * buffer, FaAlert * a,
    GPtrArray * paths)
{
  GstVideoFrame frame;
  FaImage image;
  GError *error = NULL;
  gboolean person_rule = a->rule == FA_ALERT_ON_PERSON;
  g_autofree gchar *stamp = g_date_time_format (a->time, "%Y%m%dT%H%M%S");
  g_autofree gchar *base = g_strdup_printf ("%s-%s-%s%" G_GUINT64_FORMAT
      "-%.8s", self->group_id, stamp, person_rule ? "person" : "track",
      person_rule ? a->person_track_id : a->face_track_id, a->id);
  FaRect boxes[2];
  const gchar *crops[2];
  guint n = 0;

  gchar *frame_path = g_strdup_printf ("%s/%s-frame.jpg", self->snapshot_path, base);
  g_ptr_array_add (paths, frame_path);
  if (a->has_face) {
    gchar *path = g_strdup_printf ("%s/%s-face.jpg", self->snapshot_path, base);
    g_ptr_array_add (paths, path);
    boxes[n] = a->face_box;
    crops[n++] = a->snapshot_face = path;
  }
  if (a->has_person) {
    gchar *path = person_rule ? g_strdup_printf ("%s/%s-person.jpg",
        self->snapshot_path, base) : NULL;
    if (path != NULL)
      g_ptr_array_add (paths, path);
    boxes[n] = a->person_box;
    crops[n++] = a->snapshot_person = path;
  }

  if (!gst_video_frame_map (&frame, &self->info, buffer, GST_MAP_READ)) {
    g_set_error (&error, FA_ERROR, FA_ERROR_BAD_IMAGE, "cannot map the frame");
  } else {
    if (fa_meta_image_of_frame (&frame, &image))
      fa_snapshot_write_boxes (&image, boxes, crops, n, frame_path, &error);
    else
      g_set_error (&error, FA_ERROR, FA_ERROR_BAD_IMAGE, "unsupported format");
    gst_video_frame_unmap (&frame);
  }
  if (error != NULL) {
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("Cannot write the snapshot of an alert; sending it without one."),
        ("%s", error->message));
    g_clear_error (&error);
    a->snapshot_face = a->snapshot_person = NULL;
    return;
  }
  a->snapshot_frame = frame_path;
}

static GstFlowReturn
queue_alert (FaAlertSink * self, GstBuffer * buffer, FaAlertOn rule,
    const TrackRef * face, const TrackRef * person)
{
  g_autofree gchar *id = g_uuid_string_random ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  FaAlert a = {.rule = rule,.id = id,.camera = self->camera_name,.time = now,
    .pts_ns = GST_CLOCK_TIME_IS_VALID (pts) ? (gint64) pts : -1
  };
  GError *error = NULL;

  describe_alert (&a, face, person);
  if (self->snapshot_path != NULL && self->have_info)
    write_snapshots (self, buffer, &a, paths);

  const gchar *event_type = fa_alert_event (&a);
  guint64 track_id = rule == FA_ALERT_ON_PERSON ? a.person_track_id
      : a.face_track_id;
  g_autofree gchar *subject = fa_alert_subject (&a);
  g_autofree gchar *message = fa_alert_sns_message (&a,
      FA_SNS_MAX_MESSAGE_BYTES - 256, &error);
  const gchar *attributes[] = { "camera", self->camera_name, "event",
    event_type, NULL
  };
  FaSnsMessage sns = {
    .topic_arn = self->target_topic,.phone_number = self->target_phone,
    .subject = self->target_phone != NULL && *self->target_phone ? NULL : subject,
    .message = message,.json_structure = TRUE,.attributes = attributes,
    .deduplication_id = id,.group_id = self->group_id,
  };
  if (message == NULL || (self->has_sns && !fa_sns_message_validate (&sns,
              &error))) {
    GST_ELEMENT_WARNING (self, STREAM, ENCODE,
        ("Alert for track %" G_GUINT64_FORMAT " cannot be sent: %s", track_id,
            error->message), (NULL));
    g_clear_error (&error);
    return GST_FLOW_OK;
  }
  if (!fa_outbox_add (self->outbox, id, &sns, NULL, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("%s", error->message), (NULL));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
  GST_INFO_OBJECT (self, "alert %s queued: %s", id, subject);
  GstStructure *s = gst_structure_new ("facealert/alert",
      "id", G_TYPE_STRING, id, "status", G_TYPE_STRING, "queued",
      "camera", G_TYPE_STRING, self->camera_name,
      "track-id", G_TYPE_UINT64, track_id,
      "event", G_TYPE_STRING, event_type,
      "subject", G_TYPE_STRING, subject, NULL);
  if (a.has_person)
    gst_structure_set (s, "person-track-id", G_TYPE_UINT64, a.person_track_id,
        NULL);
  if (a.snapshot_frame != NULL)
    gst_structure_set (s, "snapshot-frame", G_TYPE_STRING, a.snapshot_frame, NULL);
  if (a.snapshot_face != NULL)
    gst_structure_set (s, "snapshot-face", G_TYPE_STRING, a.snapshot_face, NULL);
  if (a.snapshot_person != NULL)
    gst_structure_set (s, "snapshot-person", G_TYPE_STRING, a.snapshot_person,
        NULL);
  post_alert_message (self, s);
  if (self->mqtt_camera != NULL)
    fa_mqtt_camera_alerted (self->mqtt_camera, rule == FA_ALERT_ON_PERSON
        ? FA_TRACK_PERSON : FA_TRACK_FACE, track_id, a.snapshot_frame);
  return GST_FLOW_OK;
}

/* A face or a person as MQTT's track events see it (strings borrowed from
 * the metas). */
static FaTrackObservation
track_observation (FaTrackKind kind, const TrackRef * ref)
{
  FaTrackObservation o = { kind, ref->track_id, kind == FA_TRACK_FACE };
  const GstStructure *id = ref->identity;
  if (gst_structure_has_field (id, "decided"))
    gst_structure_get_boolean (id, "decided", &o.decided);
  gst_structure_get_boolean (id, "known", &o.known);
  o.name = gst_structure_get_string (id, "name");
  gst_structure_get_double (id, "similarity", &o.similarity);
  if (kind == FA_TRACK_FACE)
    gst_structure_get_uint64 (id, "person-track-id", &o.person_track_id);
  o.score = param_double (ref->roi, kind == FA_TRACK_FACE ? FA_META_DETECTION
      : FA_META_OBJECT, "score");
  o.x = ref->roi->x;
  o.y = ref->roi->y;
  o.width = ref->roi->w;
  o.height = ref->roi->h;
  return o;
}

/* Every frame, tracks or not: MQTT's tracks that left must end. */
static void
observe_tracks (FaAlertSink * self, gint64 ts, GArray * faces, GArray * persons)
{
  FaTrackObservation *tracks = g_newa (FaTrackObservation,
      faces->len + persons->len + 1);
  guint n = 0;
  for (guint i = 0; i < faces->len; i++) {
    const TrackRef *face = &g_array_index (faces, TrackRef, i);
    if (fa_meta_identity_is_face (face->identity))  /* a pet's "face" is nobody */
      tracks[n++] = track_observation (FA_TRACK_FACE, face);
  }
  for (guint i = 0; i < persons->len; i++)
    tracks[n++] = track_observation (FA_TRACK_PERSON,
        &g_array_index (persons, TrackRef, i));
  fa_mqtt_camera_observe (self->mqtt_camera, ts, tracks, n);
}

/* Maps the frame's faces (facematch's identity) and persons (facematch's
 * person identity) onto the rules; pets and other objects carry neither. */
static GstFlowReturn
fa_alert_sink_render (GstBaseSink * sink, GstBuffer * buffer)
{
  FaAlertSink *self = FA_ALERT_SINK (sink);
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (TrackRef));
  g_autoptr (GArray) persons = g_array_new (FALSE, FALSE, sizeof (TrackRef));
  g_autoptr (GArray) face_obs = g_array_new (FALSE, FALSE,
      sizeof (FaAlertObservation));
  g_autoptr (GArray) person_obs = g_array_new (FALSE, FALSE,
      sizeof (FaAlertPerson));
  GQuark face_quark = g_quark_from_static_string (FA_ROI_TYPE_FACE);
  GstFlowReturn ret = GST_FLOW_OK;

  check_household (self, FALSE);
  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    if (roi->roi_type == face_quark) {
      const GstStructure *identity =
          gst_video_region_of_interest_meta_get_param (roi, FA_META_IDENTITY);
      if (identity == NULL)
        continue;               /* not through facematch: nothing to decide */
      FaAlertObservation obs = { 0, FALSE, TRUE, 0 };
      gst_structure_get_uint64 (identity, "track-id", &obs.track_id);
      gst_structure_get_boolean (identity, "known", &obs.known);
      if (gst_structure_has_field (identity, "decided"))
        gst_structure_get_boolean (identity, "decided", &obs.decided);
      gst_structure_get_uint64 (identity, "person-track-id",
          &obs.person_track_id);
      TrackRef ref = { roi, identity, obs.track_id };
      g_array_append_val (faces, ref);
      g_array_append_val (face_obs, obs);
    } else {
      const GstStructure *person =
          gst_video_region_of_interest_meta_get_param (roi, FA_META_PERSON);
      if (person == NULL)
        continue;               /* a pet, another object, or no facematch */
      FaAlertPerson obs = { 0 };
      gst_structure_get_uint64 (person, "track-id", &obs.track_id);
      gst_structure_get_boolean (person, "known", &obs.known);
      gst_structure_get_uint64 (person, "face-track-id", &obs.face_track_id);
      TrackRef ref = { roi, person, obs.track_id };
      g_array_append_val (persons, ref);
      g_array_append_val (person_obs, obs);
    }
  }
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  gint64 ts = GST_CLOCK_TIME_IS_VALID (pts)
      ? (gint64) gst_segment_to_running_time (&sink->segment, GST_FORMAT_TIME,
      pts) : (gint64) (g_get_monotonic_time () * 1000);
  if (self->mqtt_camera != NULL)
    observe_tracks (self, ts, faces, persons);
  if (faces->len + persons->len == 0)
    return GST_FLOW_OK;
  g_autofree FaAlertFire *fired = g_new0 (FaAlertFire,
      faces->len + persons->len);
  guint n = fa_alert_rules_update (self->rules, ts,
      (FaAlertObservation *) face_obs->data, faces->len,
      (FaAlertPerson *) person_obs->data, persons->len, fired);
  for (guint i = 0; i < n && ret == GST_FLOW_OK; i++) {
    const TrackRef *face, *person;
    if (fired[i].rule == FA_ALERT_ON_PERSON) {
      person = &g_array_index (persons, TrackRef, fired[i].index);
      face = find_track (faces, g_array_index (person_obs, FaAlertPerson,
              fired[i].index).face_track_id);
    } else {
      face = &g_array_index (faces, TrackRef, fired[i].index);
      person = find_track (persons, g_array_index (face_obs,
              FaAlertObservation, fired[i].index).person_track_id);
    }
    ret = queue_alert (self, buffer, fired[i].rule, face, person);
  }
  return ret;
}

static void
fa_alert_sink_finalize (GObject * object)
{
  FaAlertSink *self = FA_ALERT_SINK (object);
  g_free (self->alert_on);
  g_free (self->topic_arn);
  g_free (self->phone_number);
  fa_aws_settings_clear (&self->aws);
  g_free (self->camera);
  g_free (self->snapshot_dir);
  g_free (self->outbox_location);
  g_free (self->mqtt_broker);
  g_free (self->mqtt_topic_prefix);
  g_free (self->mqtt_user);
  fa_secret_free (self->mqtt_password);
  g_free (self->mqtt_credentials_file);
  g_free (self->mqtt_client_id);
  g_free (self->mqtt_ca_file);
  g_free (self->mqtt_discovery_prefix);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void fa_alert_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void fa_alert_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

static void
fa_alert_sink_class_init (FaAlertSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *base_class = GST_BASE_SINK_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ready = rw | GST_PARAM_MUTABLE_READY;
  const GParamFlags secret = G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = fa_alert_sink_set_property;
  gobject_class->get_property = fa_alert_sink_get_property;
  gobject_class->finalize = fa_alert_sink_finalize;

  g_object_class_install_property (gobject_class, PROP_ALERT_ON,
      g_param_spec_string ("alert-on", "Alert on",
          "Which rules alert, a comma list: unknown (faces decided unknown), "
          "known (faces decided known), person (a person in view for "
          "person-min-duration with no face decided known); all = "
          "unknown,known", DEFAULT_PROP_ALERT_ON, ready));
  g_object_class_install_property (gobject_class, PROP_MIN_FRAMES,
      g_param_spec_uint ("min-frames", "Minimum frames",
          "Frames a track must be seen in before it alerts", 1, G_MAXUINT,
          DEFAULT_PROP_MIN_FRAMES, ready));
  g_object_class_install_property (gobject_class, PROP_MIN_DURATION,
      g_param_spec_uint64 ("min-duration", "Minimum duration",
          "Time (ns) a track must persist before it alerts", 0, G_MAXUINT64,
          DEFAULT_PROP_MIN_DURATION, ready));
  g_object_class_install_property (gobject_class, PROP_PERSON_MIN_DURATION,
      g_param_spec_uint64 ("person-min-duration", "Person minimum duration",
          "Time (ns) a person must be in view, with no face decided known, "
          "before the person rule alerts", 0, G_MAXUINT64,
          DEFAULT_PROP_PERSON_MIN_DURATION, ready));
  g_object_class_install_property (gobject_class, PROP_COOLDOWN,
      g_param_spec_uint64 ("cooldown", "Cooldown",
          "Minimum time (ns) between two alerts of this camera", 0,
          G_MAXUINT64, DEFAULT_PROP_COOLDOWN, ready));
  g_object_class_install_property (gobject_class, PROP_TOPIC_ARN,
      g_param_spec_string ("topic-arn", "Topic ARN",
          "SNS topic to publish to (a .fifo topic gets deduplication ids); "
          "optional with mqtt-broker", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_PHONE_NUMBER,
      g_param_spec_string ("phone-number", "Phone number",
          "E.164 number for a direct SMS publish (instead of topic-arn)",
          NULL, ready));
  fa_aws_settings_install (gobject_class, PROP_AWS_FIRST,
      "SNS endpoint URL (NULL: https://sns.REGION.amazonaws.com/)",
      "Timeout (ns) of one Publish request (SNS) or of the wait for the "
      "broker's acknowledgement (MQTT)");
  g_object_class_install_property (gobject_class, PROP_CAMERA,
      g_param_spec_string ("camera", "Camera",
          "Camera name in alerts (NULL: the element's name)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_SNAPSHOTS,
      g_param_spec_boolean ("snapshots", "Snapshots",
          "Save a JPEG of the frame (face boxed) and of the face per alert",
          DEFAULT_PROP_SNAPSHOTS, ready));
  g_object_class_install_property (gobject_class, PROP_SNAPSHOT_DIR,
      g_param_spec_string ("snapshot-dir", "Snapshot directory",
          "Where snapshots go, 0700 (NULL: $FACEALERT_SNAPSHOTS_DIR or "
          "~/.local/share/facealert/snapshots, then /CAMERA)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_OUTBOX_LOCATION,
      g_param_spec_string ("outbox-location", "Outbox location",
          "SQLite outbox file (NULL: $FACEALERT_OUTBOX_DIR or "
          "~/.local/state/facealert/outbox, then /CAMERA.sqlite)", NULL,
          ready));
  g_object_class_install_property (gobject_class, PROP_DRAIN_TIMEOUT,
      g_param_spec_uint64 ("drain-timeout", "Drain timeout",
          "How long (ns) EOS waits for pending alerts to be delivered", 0,
          G_MAXUINT64, DEFAULT_PROP_DRAIN_TIMEOUT, rw));
  g_object_class_install_property (gobject_class, PROP_RETRY_INITIAL,
      g_param_spec_uint64 ("retry-initial", "Initial retry delay",
          "First retry delay (ns); doubles on each failure", GST_MSECOND,
          G_MAXUINT64, DEFAULT_PROP_RETRY_INITIAL, ready));
  g_object_class_install_property (gobject_class, PROP_RETRY_MAX,
      g_param_spec_uint64 ("retry-max", "Maximum retry delay",
          "Longest delay (ns) between retries", GST_MSECOND, G_MAXUINT64,
          DEFAULT_PROP_RETRY_MAX, ready));
  g_object_class_install_property (gobject_class, PROP_MQTT_BROKER,
      g_param_spec_string ("mqtt-broker", "MQTT broker",
          "mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (TLS, verified): alerts, "
          "face and person events, Home Assistant discovery (NULL: no MQTT)",
          NULL, ready));
  g_object_class_install_property (gobject_class, PROP_MQTT_TOPIC_PREFIX,
      g_param_spec_string ("mqtt-topic-prefix", "MQTT topic prefix",
          "Topics go under PREFIX/ (as Frigate's frigate/)",
          DEFAULT_PROP_MQTT_TOPIC_PREFIX, ready));
  g_object_class_install_property (gobject_class, PROP_MQTT_USER,
      g_param_spec_string ("mqtt-user", "MQTT user",
          "Broker user (NULL: FACEALERT_MQTT_USER, else the credentials file, "
          "else anonymous)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_MQTT_PASSWORD,
      g_param_spec_string ("mqtt-password", "MQTT password",
          "Broker password (write-only, never logged; NULL: "
          "FACEALERT_MQTT_PASSWORD or the credentials file)", NULL, secret));
  g_object_class_install_property (gobject_class, PROP_MQTT_CREDENTIALS_FILE,
      g_param_spec_string ("mqtt-credentials-file", "MQTT credentials file",
          "\"username = U\" and \"password = P\" lines, mode 0600 (NULL: "
          "$FACEALERT_MQTT_CREDENTIALS, else ~/.config/facealert/mqtt-credentials "
          "if it exists)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_MQTT_CLIENT_ID,
      g_param_spec_string ("mqtt-client-id", "MQTT client id",
          "Client id (NULL: facealert-HOSTNAME-PID); alertsinks of one process "
          "with the same broker, prefix and id share one connection", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_MQTT_CA_FILE,
      g_param_spec_string ("mqtt-ca-file", "MQTT CA file",
          "mqtts: PEM file of the CA that signed the broker's certificate "
          "(NULL: the system's CAs)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_MQTT_DISCOVERY_PREFIX,
      g_param_spec_string ("mqtt-discovery-prefix", "MQTT discovery prefix",
          "Home Assistant's discovery prefix (\"\": no discovery configs)",
          DEFAULT_PROP_MQTT_DISCOVERY_PREFIX, ready));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Face alert sink", "Sink/Video/Network",
      "Publishes alerts for faces to Amazon SNS or an SNS-compatible endpoint "
      "and/or an MQTT broker, through a durable outbox; faces, persons and "
      "switches for Home Assistant over MQTT", "facealert developers");

  base_class->start = GST_DEBUG_FUNCPTR (fa_alert_sink_start);
  base_class->stop = GST_DEBUG_FUNCPTR (fa_alert_sink_stop);
  base_class->unlock = GST_DEBUG_FUNCPTR (fa_alert_sink_unlock);
  base_class->unlock_stop = GST_DEBUG_FUNCPTR (fa_alert_sink_unlock_stop);
  base_class->set_caps = GST_DEBUG_FUNCPTR (fa_alert_sink_set_caps);
  base_class->event = GST_DEBUG_FUNCPTR (fa_alert_sink_event);
  base_class->render = GST_DEBUG_FUNCPTR (fa_alert_sink_render);

  GST_DEBUG_CATEGORY_INIT (fa_alert_sink_debug, "alertsink", 0,
      "facealert alert sink");
}

static void
fa_alert_sink_init (FaAlertSink * self)
{
  self->alert_on = g_strdup (DEFAULT_PROP_ALERT_ON);
  self->min_frames = DEFAULT_PROP_MIN_FRAMES;
  self->min_duration = DEFAULT_PROP_MIN_DURATION;
  self->person_min_duration = DEFAULT_PROP_PERSON_MIN_DURATION;
  self->cooldown = DEFAULT_PROP_COOLDOWN;
  fa_aws_settings_init (&self->aws);
  self->snapshots = DEFAULT_PROP_SNAPSHOTS;
  self->drain_timeout = DEFAULT_PROP_DRAIN_TIMEOUT;
  self->retry_initial = DEFAULT_PROP_RETRY_INITIAL;
  self->retry_max = DEFAULT_PROP_RETRY_MAX;
  self->mqtt_topic_prefix = g_strdup (DEFAULT_PROP_MQTT_TOPIC_PREFIX);
  self->mqtt_discovery_prefix = g_strdup (DEFAULT_PROP_MQTT_DISCOVERY_PREFIX);
  /* Alerts are not rendered against the clock. */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
}

static void
replace_string (gchar ** slot, const GValue * value, gboolean wipe)
{
  if (wipe)
    fa_secret_wipe (*slot);
  g_free (*slot);
  *slot = g_value_dup_string (value);
}

static void
fa_alert_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FaAlertSink *self = FA_ALERT_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ALERT_ON:
      replace_string (&self->alert_on, value, FALSE);
      break;
    case PROP_MIN_FRAMES:
      self->min_frames = g_value_get_uint (value);
      break;
    case PROP_MIN_DURATION:
      self->min_duration = g_value_get_uint64 (value);
      break;
    case PROP_PERSON_MIN_DURATION:
      self->person_min_duration = g_value_get_uint64 (value);
      break;
    case PROP_COOLDOWN:
      self->cooldown = g_value_get_uint64 (value);
      break;
    case PROP_TOPIC_ARN:
      replace_string (&self->topic_arn, value, FALSE);
      break;
    case PROP_PHONE_NUMBER:
      replace_string (&self->phone_number, value, FALSE);
      break;
    case PROP_CAMERA:
      replace_string (&self->camera, value, FALSE);
      break;
    case PROP_SNAPSHOTS:
      self->snapshots = g_value_get_boolean (value);
      break;
    case PROP_SNAPSHOT_DIR:
      replace_string (&self->snapshot_dir, value, FALSE);
      break;
    case PROP_OUTBOX_LOCATION:
      replace_string (&self->outbox_location, value, FALSE);
      break;
    case PROP_DRAIN_TIMEOUT:
      self->drain_timeout = g_value_get_uint64 (value);
      break;
    case PROP_RETRY_INITIAL:
      self->retry_initial = g_value_get_uint64 (value);
      break;
    case PROP_RETRY_MAX:
      self->retry_max = g_value_get_uint64 (value);
      break;
    case PROP_MQTT_BROKER:
      replace_string (&self->mqtt_broker, value, FALSE);
      break;
    case PROP_MQTT_TOPIC_PREFIX:
      replace_string (&self->mqtt_topic_prefix, value, FALSE);
      break;
    case PROP_MQTT_USER:
      replace_string (&self->mqtt_user, value, FALSE);
      break;
    case PROP_MQTT_PASSWORD:
      replace_string (&self->mqtt_password, value, TRUE);
      break;
    case PROP_MQTT_CREDENTIALS_FILE:
      replace_string (&self->mqtt_credentials_file, value, FALSE);
      break;
    case PROP_MQTT_CLIENT_ID:
      replace_string (&self->mqtt_client_id, value, FALSE);
      break;
    case PROP_MQTT_CA_FILE:
      replace_string (&self->mqtt_ca_file, value, FALSE);
      break;
    case PROP_MQTT_DISCOVERY_PREFIX:
      replace_string (&self->mqtt_discovery_prefix, value, FALSE);
      break;
    default:
      if (!fa_aws_settings_set_property (&self->aws, prop_id - PROP_AWS_FIRST,
              value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
fa_alert_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FaAlertSink *self = FA_ALERT_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ALERT_ON:
      g_value_set_string (value, self->alert_on);
      break;
    case PROP_MIN_FRAMES:
      g_value_set_uint (value, self->min_frames);
      break;
    case PROP_MIN_DURATION:
      g_value_set_uint64 (value, self->min_duration);
      break;
    case PROP_PERSON_MIN_DURATION:
      g_value_set_uint64 (value, self->person_min_duration);
      break;
    case PROP_COOLDOWN:
      g_value_set_uint64 (value, self->cooldown);
      break;
    case PROP_TOPIC_ARN:
      g_value_set_string (value, self->topic_arn);
      break;
    case PROP_PHONE_NUMBER:
      g_value_set_string (value, self->phone_number);
      break;
    case PROP_CAMERA:
      g_value_set_string (value, self->camera);
      break;
    case PROP_SNAPSHOTS:
      g_value_set_boolean (value, self->snapshots);
      break;
    case PROP_SNAPSHOT_DIR:
      g_value_set_string (value, self->snapshot_dir);
      break;
    case PROP_OUTBOX_LOCATION:
      g_value_set_string (value, self->outbox_location);
      break;
    case PROP_DRAIN_TIMEOUT:
      g_value_set_uint64 (value, self->drain_timeout);
      break;
    case PROP_RETRY_INITIAL:
      g_value_set_uint64 (value, self->retry_initial);
      break;
    case PROP_RETRY_MAX:
      g_value_set_uint64 (value, self->retry_max);
      break;
    case PROP_MQTT_BROKER:
      g_value_set_string (value, self->mqtt_broker);
      break;
    case PROP_MQTT_TOPIC_PREFIX:
      g_value_set_string (value, self->mqtt_topic_prefix);
      break;
    case PROP_MQTT_USER:
      g_value_set_string (value, self->mqtt_user);
      break;
    case PROP_MQTT_CREDENTIALS_FILE:
      g_value_set_string (value, self->mqtt_credentials_file);
      break;
    case PROP_MQTT_CLIENT_ID:
      g_value_set_string (value, self->mqtt_client_id);
      break;
    case PROP_MQTT_CA_FILE:
      g_value_set_string (value, self->mqtt_ca_file);
      break;
    case PROP_MQTT_DISCOVERY_PREFIX:
      g_value_set_string (value, self->mqtt_discovery_prefix);
      break;
    default:
      if (!fa_aws_settings_get_property (&self->aws, prop_id - PROP_AWS_FIRST,
              value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
