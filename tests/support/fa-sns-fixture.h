/* facealert tests: a real SNS-compatible server and an HTTP subscriber
 * (tests/support/sns-fixture.mjs) run on free 127.0.0.1 ports. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess *process;
  gchar *endpoint;     /* http://127.0.0.1:P/ */
  gchar *topic;        /* standard topic, subscribed */
  gchar *fifo_topic;   /* FIFO topic, subscribed */
  gchar *control;      /* http://127.0.0.1:Q */
} FaSnsFixture;

/* Starts the fixture; exits 77 (skip) when node or the npm servers are not
 * installed (scripts/install-test-servers.sh). */
FaSnsFixture *fa_sns_fixture_start (void);
void fa_sns_fixture_stop (FaSnsFixture *fixture);

/* Every delivery so far: a JSON array of {received_ms, body}. */
JsonNode *fa_sns_fixture_deliveries (FaSnsFixture *fixture);
guint fa_sns_fixture_count (FaSnsFixture *fixture);
/* Waits (bounded) until at least @n deliveries arrived; returns the count. */
guint fa_sns_fixture_wait_count (FaSnsFixture *fixture, guint n, guint timeout_ms);

/* Takes the SNS server down / brings it back on the same port. */
void fa_sns_fixture_sns_stop (FaSnsFixture *fixture);
void fa_sns_fixture_sns_start (FaSnsFixture *fixture);

/* The alertsink payload of delivery @i (parsed from Message's "http" key). */
JsonObject *fa_sns_fixture_payload (JsonNode *deliveries, guint i);
/* Message's "default" line of delivery @i (newly allocated). */
gchar *fa_sns_fixture_default_line (JsonNode *deliveries, guint i);

G_END_DECLS
