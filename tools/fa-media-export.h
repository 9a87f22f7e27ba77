/* facealert: media out of the stream store through GStreamer, shared by the
 * CLI (`facealert clip|images`) and the server (KVS GetClip / GetImages):
 *
 *   clip    the stored H.264/H.265 of a time range remuxed, not re-encoded,
 *           into an MP4 file (appsrc ! parse ! mp4mux ! filesink);
 *   images  frames of a time range decoded and encoded as JPEG or PNG, one
 *           every interval (appsrc ! decodebin ! videoconvert [! videoscale]
 *           ! jpegenc|pngenc), handed over as bytes.
 *
 * The range is in producer time; the output starts at the keyframe that
 * begins the fragment holding @start_us. Everything runs in the calling
 * thread (gst_init() must have been called); several exports may run at once
 * in different threads.
 */
#pragma once

#include <glib.h>

#include "fa-stream-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64 start_us;          /* producer time of the first frame out */
  gint64 duration_us;
  guint fragments, frames;  /* read from the store */
  gchar *stopped_at;        /* fragment where the format changed and the
                             * output stopped, or NULL */
} FaExportResult;

void fa_export_result_clear (FaExportResult *result);

/* Writes [@start_us, @end_us) of @stream as MP4 to @out_path (through
 * @out_path.part, renamed when complete; mode 0600). FA_ERROR_NOT_FOUND when
 * the range holds no media. */
gboolean fa_export_clip (FaStreamStore *store, const gchar *stream,
    gint64 start_us, gint64 end_us, const gchar *out_path,
    FaExportResult *result, GError **error);

typedef enum {
  FA_EXPORT_JPEG,
  FA_EXPORT_PNG,
} FaExportImageFormat;

typedef struct {
  gint64 interval_us;       /* one image every this much producer time */
  FaExportImageFormat format;
  int jpeg_quality;         /* 1..100, 0: jpegenc's default */
  int width, height;        /* scaled to this (0: keep; one 0: keep aspect) */
  guint max_images;         /* stop after this many (0: no limit) */
} FaExportImageOptions;

/* Called for each image, in time order, with its producer time and bytes.
 * Return FALSE (with @error set) to stop the export with that error. */
typedef gboolean (*FaExportImageFunc) (gint64 producer_us, GBytes *image,
    gpointer user_data, GError **error);

/* Images of [@start_us, @end_us] (inclusive) of @stream, the first at or
 * after @start_us, then one per interval. */
gboolean fa_export_images (FaStreamStore *store, const gchar *stream,
    gint64 start_us, gint64 end_us, const FaExportImageOptions *options,
    FaExportImageFunc func, gpointer user_data, FaExportResult *result,
    GError **error);

G_END_DECLS
