/* facealert: one Matroska file per stream fragment, as Kinesis Video Streams
 * stores them: an EBML header, the track with its codec data (avcC / hvcC),
 * and the fragment's frames as SimpleBlocks, so every fragment decodes on
 * its own. Times inside a fragment start at 0 (1 ms timecode scale); the
 * fragment's absolute producer time is in Info/DateUTC.
 *
 * The reader understands what the writer produces (and other simple
 * single-video-track Matroska files with SimpleBlocks). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FA_CODEC_H264,
  FA_CODEC_H265,
} FaCodec;

/* "h264" / "h265"; Matroska codec ids "V_MPEG4/ISO/AVC" / "V_MPEGH/ISO/HEVC". */
const gchar *fa_codec_name (FaCodec codec);
gboolean fa_codec_from_name (const gchar *name, FaCodec *codec);

typedef struct {
  gint64 pts_us;        /* relative to the fragment start */
  gboolean keyframe;
  gsize offset;         /* into the fragment bytes (reader) */
  gsize size;
} FaMkvFrame;

/* Builds one fragment in memory. */
typedef struct _FaMkvWriter FaMkvWriter;

FaMkvWriter *fa_mkv_writer_new (FaCodec codec, GBytes *codec_private,
    guint width, guint height, gint64 producer_start_us);
/* Frames come in decode order; @pts_us is relative to the fragment start. */
void fa_mkv_writer_add_frame (FaMkvWriter *writer, gint64 pts_us,
    gboolean keyframe, const guint8 *data, gsize size);
guint fa_mkv_writer_frame_count (FaMkvWriter *writer);
/* Finishes the file with @duration_us and frees @writer. */
GBytes *fa_mkv_writer_finish (FaMkvWriter *writer, gint64 duration_us);
void fa_mkv_writer_free (FaMkvWriter *writer);

/* A parsed fragment: frames point into @data. */
typedef struct {
  FaCodec codec;
  GBytes *codec_private;
  guint width, height;
  gint64 producer_start_us;     /* from DateUTC; 0 when absent */
  gint64 duration_us;           /* from Info/Duration; 0 when absent */
  GBytes *data;
  GArray *frames;               /* FaMkvFrame */
} FaMkvFragment;

FaMkvFragment *fa_mkv_fragment_parse (GBytes *data, GError **error);
void fa_mkv_fragment_free (FaMkvFragment *fragment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaMkvFragment, fa_mkv_fragment_free)

G_END_DECLS
