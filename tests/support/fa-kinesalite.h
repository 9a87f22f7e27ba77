/* facealert tests: a real Kinesis Data Streams server (kinesalite, npm) run
 * by the test on a free 127.0.0.1 port (tests/support/kinesalite-fixture.mjs),
 * stopped by PID. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess *process;    /* NULL while stopped */
  gchar *servers;          /* the npm folder */
  gchar *db_path;          /* LevelDB directory, or NULL (in memory) */
  guint throttle_every;
  guint port;
  gchar *endpoint;         /* http://127.0.0.1:PORT/ */
} FaKinesalite;

/* Starts kinesalite; @db_path: keep the data there (survives restarts) or
 * NULL; @throttle_every: refuse every Nth record of PutRecords with
 * ProvisionedThroughputExceededException (0: never). Exits 77 (skip) when
 * node or kinesalite is not installed (scripts/install-test-servers.sh). */
FaKinesalite *fa_kinesalite_start (const gchar *db_path, guint throttle_every);
/* Stops the server process (SIGTERM, or SIGKILL when @kill) and waits. */
void fa_kinesalite_stop (FaKinesalite *k, gboolean kill);
/* Starts it again on the same port with the same data. */
void fa_kinesalite_restart (FaKinesalite *k);
void fa_kinesalite_free (FaKinesalite *k);

/* Creates @stream with @shards shards and waits until it is ACTIVE.
 * kinesalite 3.3.3 keeps its streams in an array indexed by name: a stream
 * named like an Array method ("every", "map", "join"...) crashes it. */
void fa_kinesalite_create_stream (FaKinesalite *k, const gchar *stream, guint shards);

/* Every record of @stream, shard by shard in ListShards order, each shard in
 * sequence order: a JSON array of {ShardId, SequenceNumber, PartitionKey,
 * Data (base64), ApproximateArrivalTimestamp}. */
JsonArray *fa_kinesalite_read_all (FaKinesalite *k, const gchar *stream);

G_END_DECLS
