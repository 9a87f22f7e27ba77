/* fa-camsim: one camera's looping H.264 clip.
 *
 * A clip source is "scene:NAME" (household, stranger, cat, empty),
 * "walk:PHOTO" (any photo walking in and out), "file:VIDEO" or "image:PHOTO".
 * It is encoded once (640x480 by default, 15 fps, constrained-baseline
 * H.264, one IDR per second) to an MP4 in the cache directory, keyed by the
 * source, its size and mtime and the encoding settings; later runs reuse it.
 * The encoded access units are then held in memory and served in a loop
 * without any re-encoding. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct {
  gint width;
  gint height;
  gint fps;
  const gchar *cache_dir;     // where encoded clips are kept
  const gchar *testdata_dir;  // where scene photos are looked up
} FaCamClipOptions;

typedef struct {
  gchar *source;          // as given, e.g. "scene:household"
  gchar *cache_path;      // the encoded MP4
  GstCaps *caps;          // video/x-h264, byte-stream, alignment=au
  GPtrArray *frames;      // GstBuffer access units; frames[0] is an IDR
  gint fps;
  // For walk-in scenes: the first frame where the subject is wholly in the
  // picture ("enter") and the first frame where it no longer is ("leave");
  // -1 for other sources.
  gint enter_frame;
  gint leave_frame;
} FaCamClip;

/* Encodes @source into the cache if needed and loads it. On failure returns
 * NULL with a one-line message in @error naming the source. */
FaCamClip *fa_cam_clip_prepare (const gchar *source,
    const FaCamClipOptions *options, GError **error);

void fa_cam_clip_free (FaCamClip *clip);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaCamClip, fa_cam_clip_free)

G_END_DECLS
