/* facealert CLI: the stream store verbs (streams, fragments, media, clip,
 * images), mirroring Kinesis Video Streams' ListStreams, ListFragments,
 * GetMediaForFragmentList, GetClip and GetImages. */
#pragma once

#include "fa-cli.h"
#include "fa-cli-time.h"
#include "fa-stream-store.h"

G_BEGIN_DECLS

extern const FaCliGroup fa_cli_streams;
extern const FaCliGroup fa_cli_fragments;
extern const FaCliGroup fa_cli_media;
extern const FaCliGroup fa_cli_clip;
extern const FaCliGroup fa_cli_images;

/* Options every stream verb takes. */
typedef struct {
  gchar *storage_dir;
  gchar *key_file;
  gchar *stream;
  gchar *start;
  gchar *end;
  gchar *out;
} FaStreamsOptions;

/* Parses @argv with @entries plus --storage-dir, --key-file and --output
 * (long only: -o is the output file for clip, images and media). */
gboolean fa_streams_parse (int *argc, gchar ***argv, const gchar *usage,
    const gchar *summary, const GOptionEntry *entries, FaStreamsOptions *options,
    GError **error);
FaStreamStore *fa_streams_open_store (FaStreamsOptions *options, GError **error);

/* Reads --start/--end (both required when @required). */
gboolean fa_streams_parse_range (FaStreamsOptions *options, gboolean required,
    gint64 *start_us, gint64 *end_us, GError **error);

G_END_DECLS
