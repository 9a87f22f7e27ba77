/* facealert: where to look for faces when person boxes are known.
 *
 * Frigate's way: faces are searched only inside detected persons. A face
 * lies in the top of a standing person's box, so a tall box is searched only
 * in its top part (at least 1.2 box widths, 40 % of the height); a squarer
 * box (sitting, bending, head and shoulders) is searched whole. Each region
 * gets a margin (the detector's box may cut the head), and overlapping
 * regions are merged when one rectangle covers them for no more pixels than
 * the two. Plain C. */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

/* Appends the face search regions (FaRect) for @n_persons person boxes in a
 * @width x @height frame to @regions; returns how many. */
guint fa_face_search_regions (const FaRect *persons, guint n_persons, int width, int height,
    GArray *regions);

G_END_DECLS
