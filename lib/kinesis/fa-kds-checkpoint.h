/* facealert: where `facealert consume` is in each shard of a stream, on
 * SQLite (WAL, synchronous=FULL: a checkpoint committed survives a crash).
 *
 * A checkpoint is the sequence number of the last record a handler run
 * succeeded for; reading resumes after it, so nothing before it is given
 * again and nothing after it is lost. "ended" marks a shard read to its end
 * (closed by a reshard), whose children may then be read. The file is 0600
 * in a 0700 directory; one consumer at a time holds PATH.lock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FaKdsCheckpoints FaKdsCheckpoints;

/* Opens (creates) @path and takes its lock: FA_ERROR_BUSY when another
 * consumer holds it. */
FaKdsCheckpoints *fa_kds_checkpoints_open (const gchar *path, GError **error);
void fa_kds_checkpoints_close (FaKdsCheckpoints *checkpoints);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaKdsCheckpoints, fa_kds_checkpoints_close)

/* The checkpoint of @shard in @stream: *@sequence_number (NULL when none;
 * free it) and *@ended. Returns FALSE on a read error. */
gboolean fa_kds_checkpoints_get (FaKdsCheckpoints *checkpoints,
    const gchar *stream, const gchar *shard, gchar **sequence_number,
    gboolean *ended, GError **error);
/* Commits a checkpoint (@sequence_number may be NULL to keep the one there,
 * e.g. a shard that ended with nothing new). */
gboolean fa_kds_checkpoints_set (FaKdsCheckpoints *checkpoints,
    const gchar *stream, const gchar *shard, const gchar *sequence_number,
    gboolean ended, GError **error);

G_END_DECLS
