/* facealert CLI: the stream store verbs (streams, fragments, media, clip,
 * images), mirroring Kinesis Video Streams' ListStreams, ListFragments,
 * GetMediaForFragmentList, GetClip and GetImages. */
#pragma once

#include "fa-cli.h"
#include "fa-cli-time.h"
#include "fa-stream-store.h"

G_BEGIN_DECLS

/* Options every stream verb takes. */
typedef struct {
  gchar *storage_dir;
  gchar *key_file;
  gchar *stream;
  gchar *start;
  gchar *end;
  gchar *out;
} FaStreamsOptions;

/* Parses @argv with @entries plus --storage-dir, --key-file and --output. */
gboolean fa_streams_parse (int *argc, gchar ***argv, const gchar *usage,
    const gchar *summary, const GOptionEntry *entries, FaStreamsOptions *options,
    GError **error);
FaStreamStore *fa_streams_open_store (FaStreamsOptions *options, GError **error);

/* Reads --start/--end (both required when @required). */
gboolean fa_streams_parse_range (FaStreamsOptions *options, gboolean required,
    gint64 *start_us, gint64 *end_us, GError **error);

G_END_DECLS
