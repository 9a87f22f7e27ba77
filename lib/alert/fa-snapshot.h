/* facealert: alert snapshots: the whole frame with the boxes drawn, and
 * crops of the boxes (with a 20 % margin), as JPEG files readable by the
 * owner only (0600). */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

/* Writes @frame_path (frame, @box drawn) and @crop_path (the face area).
 * Either path may be NULL to skip it. */
gboolean fa_snapshot_write (const FaImage *image, const FaRect *box,
    const gchar *frame_path, const gchar *crop_path, GError **error);

/* Writes @frame_path (frame, every box drawn; NULL to skip) and, for each of
 * the @n_boxes boxes, a crop to @crop_paths[i] (NULL to skip that one). */
gboolean fa_snapshot_write_boxes (const FaImage *image, const FaRect *boxes,
    const gchar *const *crop_paths, guint n_boxes, const gchar *frame_path,
    GError **error);

G_END_DECLS
