/* facealert serve: one photo (the face with a margin) per face enrolled
 * through the server, so the page can show the collection's people:
 * PHOTOS/COLLECTION/FACE_ID.jpg, files 0600 in 0700 directories (PHOTOS is
 * FaServe.photos_dir: COLLECTIONS/photos by default). Faces enrolled with
 * the CLI have none. Collection and face ids are validated before they name
 * a file. */
#pragma once

#include "serve.h"
#include "fa-image.h"

G_BEGIN_DECLS

/* Best effort: a failure is logged, the enrolment stands. */
void fa_serve_photos_save (FaServe *serve, const gchar *collection,
    const gchar *face_id, const FaImage *image, const FaRect *box);
/* The JPEG, or NULL with FA_ERROR_NOT_FOUND. */
GBytes *fa_serve_photos_read (FaServe *serve, const gchar *collection,
    const gchar *face_id, GError **error);
void fa_serve_photos_delete (FaServe *serve, const gchar *collection,
    const gchar *face_id);
void fa_serve_photos_delete_collection (FaServe *serve, const gchar *collection);

/* TRUE for a face id as the collection store makes them (a UUID). */
gboolean fa_serve_is_uuid (const gchar *text);

G_END_DECLS
