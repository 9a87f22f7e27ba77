/* facealert: the household's mode and alert switches. See fa-household.h. */
#include "fa-household.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define LOCK_TIMEOUT_US (5 * G_TIME_SPAN_SECOND)

typedef struct {
  gboolean exists;
  dev_t dev;
  ino_t ino;
  off_t size;
  gint64 mtime_ns;
} Identity;

struct _FaHousehold {
  gchar *path;
  GMutex lock;
  Identity seen;            /* of the file last read */
  FaHouseholdMode mode;
  GHashTable *alerts;       /* camera -> GINT_TO_POINTER (on) */
};

const gchar *
fa_household_mode_name (FaHouseholdMode mode)
{
  return mode == FA_HOUSEHOLD_HOME ? "home" : "away";
}

gboolean
fa_household_mode_from_name (const gchar *name, FaHouseholdMode *mode)
{
  if (name != NULL && g_ascii_strcasecmp (name, "home") == 0)
    *mode = FA_HOUSEHOLD_HOME;
  else if (name != NULL && g_ascii_strcasecmp (name, "away") == 0)
    *mode = FA_HOUSEHOLD_AWAY;
  else
    return FALSE;
  return TRUE;
}

gchar *
fa_household_default_path (void)
{
  g_autofree gchar *dir = fa_paths_dir (FA_DIR_STATE);
  return g_build_filename (dir, "household.json", NULL);
}

static Identity
identity_of (const gchar *path)
{
  Identity id = { 0 };
  GStatBuf st;
  if (g_stat (path, &st) == 0) {
    id.exists = TRUE;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    id.size = st.st_size;
    id.mtime_ns = (gint64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  }
  return id;
}

static gboolean
same_identity (const Identity *a, const Identity *b)
{
  return a->exists == b->exists && (!a->exists || (a->dev == b->dev
          && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns));
}

/* Parses @path into @mode / @alerts (defaults for a missing file). */
static gboolean
read_state (const gchar *path, FaHouseholdMode *mode, GHashTable *alerts,
    GError **error)
{
  *mode = FA_HOUSEHOLD_AWAY;
  g_hash_table_remove_all (alerts);
  g_autofree gchar *text = NULL;
  gsize size = 0;
  GError *local = NULL;
  if (!g_file_get_contents (path, &text, &size, &local)) {
    gboolean missing = g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    if (!missing)
      g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot read the household "
          "state %s: %s", path, local->message);
    g_error_free (local);
    return missing;
  }
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root = NULL;
  if (json_parser_load_from_data (parser, text, size, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    root = json_node_get_object (json_parser_get_root (parser));
  const gchar *mode_name = root != NULL && json_object_has_member (root, "mode")
      ? json_object_get_string_member_with_default (root, "mode", NULL) : "away";
  JsonNode *cameras = root != NULL ? json_object_get_member (root, "cameras") : NULL;
  if (root == NULL || !fa_household_mode_from_name (mode_name, mode)
      || (cameras != NULL && !JSON_NODE_HOLDS_OBJECT (cameras))) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT, "the household state %s is "
        "not valid (expected {\"mode\": \"home\"|\"away\", \"cameras\": {...}}): "
        "fix it, or delete it to go back to away with every camera on", path);
    *mode = FA_HOUSEHOLD_AWAY;
    return FALSE;
  }
  if (cameras != NULL) {
    JsonObject *o = json_node_get_object (cameras);
    g_autoptr (GList) names = json_object_get_members (o);
    for (GList *l = names; l != NULL; l = l->next) {
      JsonNode *camera = json_object_get_member (o, l->data);
      if (!JSON_NODE_HOLDS_OBJECT (camera))
        continue;
      gboolean on = json_object_get_boolean_member_with_default
          (json_node_get_object (camera), "alerts", TRUE);
      g_hash_table_insert (alerts, g_strdup (l->data), GINT_TO_POINTER (on));
    }
  }
  return TRUE;
}

FaHousehold *
fa_household_open (const gchar *path)
{
  FaHousehold *h = g_new0 (FaHousehold, 1);
  h->path = path != NULL && *path != '\0' ? g_strdup (path)
      : fa_household_default_path ();
  g_mutex_init (&h->lock);
  h->alerts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Identity now = identity_of (h->path);
  /* A file that cannot be read is left unseen: the first refresh says why. */
  if (read_state (h->path, &h->mode, h->alerts, NULL))
    h->seen = now;
  else
    h->seen.exists = !now.exists;
  return h;
}

void
fa_household_free (FaHousehold *h)
{
  if (h == NULL)
    return;
  g_hash_table_unref (h->alerts);
  g_mutex_clear (&h->lock);
  g_free (h->path);
  g_free (h);
}

const gchar *
fa_household_get_path (FaHousehold *h)
{
  return h->path;
}

static gboolean
same_state (FaHouseholdMode mode_a, GHashTable *a, FaHouseholdMode mode_b,
    GHashTable *b)
{
  if (mode_a != mode_b || g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, a);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    gpointer other;
    if (!g_hash_table_lookup_extended (b, key, NULL, &other) || other != value)
      return FALSE;
  }
  return TRUE;
}

gboolean
fa_household_refresh (FaHousehold *h, gboolean *changed, GError **error)
{
  if (changed != NULL)
    *changed = FALSE;
  Identity now = identity_of (h->path);
  g_mutex_lock (&h->lock);
  gboolean same = same_identity (&now, &h->seen);
  g_mutex_unlock (&h->lock);
  if (same)
    return TRUE;
  FaHouseholdMode mode;
  g_autoptr (GHashTable) alerts = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  gboolean ok = read_state (h->path, &mode, alerts, error);
  g_mutex_lock (&h->lock);
  h->seen = now;
  if (ok) {
    if (changed != NULL)
      *changed = !same_state (mode, alerts, h->mode, h->alerts);
    h->mode = mode;
    GHashTable *old = h->alerts;
    h->alerts = g_steal_pointer (&alerts);
    alerts = old;
  }
  g_mutex_unlock (&h->lock);
  return ok;
}

FaHouseholdMode
fa_household_get_mode (FaHousehold *h)
{
  g_mutex_lock (&h->lock);
  FaHouseholdMode mode = h->mode;
  g_mutex_unlock (&h->lock);
  return mode;
}

gboolean
fa_household_get_alerts (FaHousehold *h, const gchar *camera)
{
  g_mutex_lock (&h->lock);
  gpointer value;
  gboolean on = !g_hash_table_lookup_extended (h->alerts, camera, NULL, &value)
      || GPOINTER_TO_INT (value);
  g_mutex_unlock (&h->lock);
  return on;
}

static int
compare_names (const void *a, const void *b)
{
  return g_strcmp0 (*(gchar * const *) a, *(gchar * const *) b);
}

gchar **
fa_household_list_cameras (FaHousehold *h)
{
  g_mutex_lock (&h->lock);
  guint n = 0;
  gchar **names = (gchar **) g_hash_table_get_keys_as_array (h->alerts, &n);
  gchar **copy = g_new0 (gchar *, n + 1);
  for (guint i = 0; i < n; i++)
    copy[i] = g_strdup (names[i]);
  g_free (names);
  g_mutex_unlock (&h->lock);
  qsort (copy, n, sizeof (gchar *), compare_names);
  return copy;
}

/* ---- changes -------------------------------------------------------------- */

static int
lock_file (const gchar *path, GError **error)
{
  g_autofree gchar *lock_path = g_strconcat (path, ".lock", NULL);
  gint64 deadline = g_get_monotonic_time () + LOCK_TIMEOUT_US;
  while (TRUE) {
    GError *local = NULL;
    int fd = fa_paths_lock_exclusive (lock_path, &local);
    if (fd >= 0)
      return fd;
    if (!g_error_matches (local, FA_ERROR, FA_ERROR_BUSY)
        || g_get_monotonic_time () > deadline) {
      if (local->code == FA_ERROR_BUSY)
        g_set_error (error, FA_ERROR, FA_ERROR_BUSY, "the household state %s "
            "stayed locked by another process for 5 s; try again", path);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      g_clear_error (&local);
      return -1;
    }
    g_clear_error (&local);
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  }
}

static gchar *
to_json (FaHouseholdMode mode, GHashTable *alerts)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, fa_household_mode_name (mode));
  json_builder_set_member_name (b, "cameras");
  json_builder_begin_object (b);
  g_autofree gpointer *names = g_hash_table_get_keys_as_array (alerts, NULL);
  for (guint i = 0; names[i] != NULL; i++) {
    json_builder_set_member_name (b, names[i]);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "alerts");
    json_builder_add_boolean_value (b, GPOINTER_TO_INT (g_hash_table_lookup (alerts,
                names[i])));
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  gchar *text = json_generator_to_data (gen, NULL);
  gchar *with_newline = g_strconcat (text, "\n", NULL);
  g_free (text);
  return with_newline;
}

/* Writes @text to @path atomically: a private temporary file beside it,
 * fsync, rename. */
static gboolean
write_atomically (const gchar *path, const gchar *text, GError **error)
{
  g_autofree gchar *tmp = g_strconcat (path, ".tmp", NULL);
  int fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  gsize len = strlen (text);
  gboolean ok = fd >= 0 && fchmod (fd, 0600) == 0
      && write (fd, text, len) == (gssize) len && fsync (fd) == 0;
  int saved = errno;
  if (fd >= 0)
    ok = close (fd) == 0 && ok;
  if (ok && g_rename (tmp, path) != 0) {
    saved = errno;
    ok = FALSE;
  }
  if (!ok) {
    g_unlink (tmp);
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot save the household "
        "state %s: %s", path, g_strerror (saved));
  }
  return ok;
}

typedef void (*Change) (FaHouseholdMode *mode, GHashTable *alerts,
    const gchar *camera, gint value);

static gboolean
change (FaHousehold *h, Change apply, const gchar *camera, gint value,
    GError **error)
{
  g_autofree gchar *dir = g_path_get_dirname (h->path);
  if (!fa_paths_ensure_private_dir (dir, error))
    return FALSE;
  int fd = lock_file (h->path, error);
  if (fd < 0)
    return FALSE;
  FaHouseholdMode mode;
  g_autoptr (GHashTable) alerts = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  /* From the file as it is now (another process may have changed it); a
   * corrupt one is replaced by the defaults plus this change. */
  read_state (h->path, &mode, alerts, NULL);
  apply (&mode, alerts, camera, value);
  g_autofree gchar *text = to_json (mode, alerts);
  gboolean ok = write_atomically (h->path, text, error);
  if (ok) {
    g_mutex_lock (&h->lock);
    h->mode = mode;
    GHashTable *old = h->alerts;
    h->alerts = g_steal_pointer (&alerts);
    alerts = old;
    h->seen = identity_of (h->path);
    g_mutex_unlock (&h->lock);
  }
  close (fd);
  return ok;
}

static void
apply_mode (FaHouseholdMode *mode, GHashTable *alerts, const gchar *camera,
    gint value)
{
  *mode = value;
}

static void
apply_alerts (FaHouseholdMode *mode, GHashTable *alerts, const gchar *camera,
    gint value)
{
  g_hash_table_insert (alerts, g_strdup (camera), GINT_TO_POINTER (value));
}

gboolean
fa_household_set_mode (FaHousehold *h, FaHouseholdMode mode, GError **error)
{
  return change (h, apply_mode, NULL, mode, error);
}

gboolean
fa_household_set_alerts (FaHousehold *h, const gchar *camera, gboolean on,
    GError **error)
{
  g_return_val_if_fail (camera != NULL && *camera != '\0', FALSE);
  return change (h, apply_alerts, camera, on ? 1 : 0, error);
}
