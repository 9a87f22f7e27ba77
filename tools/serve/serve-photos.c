/* facealert serve: face photos. See serve-photos.h. */
#include "serve-photos.h"
#include "fa-collection.h"
#include "fa-error.h"
#include "fa-paths.h"
#include "fa-snapshot.h"

#include <string.h>
#include <glib/gstdio.h>

gboolean
fa_serve_is_uuid (const gchar *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++) {
    gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
      return FALSE;
  }
  return TRUE;
}

/* PHOTOS/COLLECTION (or its FACE_ID.jpg), NULL for an id that is not one. */
static gchar *
photo_path (FaServe *serve, const gchar *collection, const gchar *face_id)
{
  if (!fa_collection_id_validate (collection, NULL) || g_str_equal (collection, ".")
      || g_str_equal (collection, "..") || (face_id != NULL && !fa_serve_is_uuid (face_id)))
    return NULL;
  if (face_id == NULL)
    return g_build_filename (serve->photos_dir, collection, NULL);
  g_autofree gchar *leaf = g_strconcat (face_id, ".jpg", NULL);
  return g_build_filename (serve->photos_dir, collection, leaf, NULL);
}

void
fa_serve_photos_save (FaServe *serve, const gchar *collection, const gchar *face_id,
    const FaImage *image, const FaRect *box)
{
  g_autofree gchar *dir = photo_path (serve, collection, NULL);
  g_autofree gchar *path = photo_path (serve, collection, face_id);
  GError *error = NULL;
  if (path == NULL || !fa_paths_ensure_private_dir (dir, &error)
      || !fa_snapshot_write (image, box, NULL, path, &error)) {
    g_warning ("no photo kept for face %s: %s", face_id,
        error != NULL ? error->message : "bad id");
    g_clear_error (&error);
  }
}

GBytes *
fa_serve_photos_read (FaServe *serve, const gchar *collection, const gchar *face_id,
    GError **error)
{
  g_autofree gchar *path = photo_path (serve, collection, face_id);
  gchar *data = NULL;
  gsize size = 0;
  if (path == NULL || !g_file_get_contents (path, &data, &size, NULL)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no photo of face %s", face_id);
    return NULL;
  }
  return g_bytes_new_take (data, size);
}

void
fa_serve_photos_delete (FaServe *serve, const gchar *collection, const gchar *face_id)
{
  g_autofree gchar *path = photo_path (serve, collection, face_id);
  if (path != NULL)
    g_unlink (path);
}

void
fa_serve_photos_delete_collection (FaServe *serve, const gchar *collection)
{
  g_autofree gchar *dir = photo_path (serve, collection, NULL);
  if (dir == NULL)
    return;
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    if (g_str_has_suffix (name, ".jpg")) {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  }
  g_rmdir (dir);
}
