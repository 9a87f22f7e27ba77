/* facealert: a plain C view of a video frame or picture, and the face record
 * every stage (detect, align, embed, track, alert) passes along. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FA_PIXEL_GRAY8,
  FA_PIXEL_RGB,    /* packed 24-bit */
  FA_PIXEL_BGR,
  FA_PIXEL_RGBX,   /* packed 32-bit, 4th byte ignored (also RGBA) */
  FA_PIXEL_BGRX,   /* also BGRA */
  FA_PIXEL_XRGB,
  FA_PIXEL_XBGR,
  FA_PIXEL_I420,   /* planar Y, U, V; chroma halved both ways */
  FA_PIXEL_YV12,   /* planar Y, V, U */
  FA_PIXEL_NV12,   /* Y plane, interleaved UV plane */
  FA_PIXEL_NV21,   /* Y plane, interleaved VU plane */
} FaPixelFormat;

/* Borrowed pixels: the view never owns or frees them. */
typedef struct {
  FaPixelFormat format;
  int width;
  int height;
  const guint8 *planes[3];
  int strides[3];
} FaImage;

/* An owned picture decoded from a file (always FA_PIXEL_BGR). */
typedef struct _FaPicture FaPicture;

/* Decodes a JPEG/PNG/BMP/... file. Fails with FA_ERROR_NOT_FOUND for a missing
 * file and FA_ERROR_BAD_IMAGE for anything that does not decode. */
FaPicture *fa_picture_load (const gchar *path, GError **error);
/* Decodes an in-memory encoded image (same errors as fa_picture_load). */
FaPicture *fa_picture_decode (const guint8 *data, gsize size, GError **error);
const FaImage *fa_picture_image (const FaPicture *picture);
void fa_picture_free (FaPicture *picture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaPicture, fa_picture_free)

/* Encodes @image (any format) as a JPEG of @quality (1-100). */
GBytes *fa_image_encode_jpeg (const FaImage *image, int quality, GError **error);

typedef struct {
  float x, y, width, height;   /* pixels, in the frame the face came from */
} FaRect;

#define FA_FACE_N_LANDMARKS 5
/* Landmark order (YuNet's and ArcFace's): right eye, left eye, nose tip,
 * right mouth corner, left mouth corner ("right" = the subject's right,
 * i.e. the one on the image's left). */
typedef struct {
  FaRect box;
  float score;                          /* detector confidence, 0..1 */
  gboolean has_landmarks;
  float landmarks[FA_FACE_N_LANDMARKS][2];
} FaFace;

/* A BGR copy of @region (pixels; clipped to the image) of @image, in any
 * format, shrunk so its longer side is at most @max_side (0: no limit). */
FaPicture *fa_picture_new_from_region (const FaImage *image, const FaRect *region,
    int max_side, GError **error);
/* Fills @view with the part of @image inside @x, @y, @width, @height
 * (clipped to @image; origin rounded down to even pixels for the 4:2:0
 * formats, the size grown to match), borrowing its planes. Returns FALSE when
 * nothing is left; @view's origin in @image is (*@x, *@y) on return. */
gboolean fa_image_crop_view (const FaImage *image, int *x, int *y, int width, int height,
    FaImage *view);

/* Intersection over union of two rectangles (0 when either is empty). */
float fa_rect_iou (const FaRect *a, const FaRect *b);

G_END_DECLS
