/* facealert: alert snapshots: the whole frame with the face boxed, and the
 * face crop (with a margin), as JPEG files readable by the owner only (0600). */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

/* Writes @frame_path (frame, @box drawn) and @crop_path (the face area).
 * Either path may be NULL to skip it. */
gboolean fa_snapshot_write (const FaImage *image, const FaRect *box,
    const gchar *frame_path, const gchar *crop_path, GError **error);

G_END_DECLS
