/* facealert: draws face boxes and landmarks into a frame, for debugging.
 * Works on every FaPixelFormat (YUV formats get the colour in luma and
 * chroma). */
#pragma once

#include "fa-image.h"

G_BEGIN_DECLS

/* Draws a 2-pixel box around each of the @n_faces faces and a small cross
 * on each landmark, in place: @image's planes must be writable. */
void fa_draw_faces (const FaImage *image, const FaFace *faces, guint n_faces);

/* Draws a 2-pixel box of colour @r, @g, @b around each of @n_boxes boxes, in
 * place. */
void fa_draw_boxes (const FaImage *image, const FaRect *boxes, guint n_boxes,
    guint8 r, guint8 g, guint8 b);

G_END_DECLS
