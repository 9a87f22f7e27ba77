/* facealert serve: the household's page and an AWS-compatible API
 * (Rekognition, Kinesis Video Streams) on one port (docs/serve.md).
 *
 *   facealert serve [--listen 127.0.0.1:8080] [--tls-cert F --tls-key F]
 *   facealert serve --create-credentials [--replace]
 *   facealert serve --set-password        (the password on stdin) */
#include "cmd-groups.h"
#include "fa-secret.h"
#include "fa-cli.h"
#include "fa-error.h"
#include "fa-password.h"
#include "fa-paths.h"
#include "serve.h"
#include "serve-credentials.h"

#include <gst/gst.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gstdio.h>

static gchar *
password_path (const gchar *config_dir)
{
  g_autofree gchar *dir = config_dir != NULL ? g_strdup (config_dir)
      : fa_paths_dir (FA_DIR_CONFIG);
  return g_build_filename (dir, FA_PASSWORD_FILE, NULL);
}

/* One line from stdin, without echo on a terminal. */
static gchar *
read_secret_line (const gchar *prompt)
{
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved, quiet;
  if (tty) {
    fprintf (stderr, "%s", prompt);
    tcgetattr (STDIN_FILENO, &saved);
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t) ECHO;
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  gchar buffer[FA_PASSWORD_MAX_LENGTH + 2];
  gchar *line = fgets (buffer, sizeof buffer, stdin) != NULL ? g_strdup (buffer) : NULL;
  memset (buffer, 0, sizeof buffer);
  if (tty) {
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
    fprintf (stderr, "\n");
  }
  if (line != NULL)
    line[strcspn (line, "\r\n")] = '\0';
  return line;
}

static int
set_password (const gchar *config_dir)
{
  gchar *password = read_secret_line ("New password for the facealert page: ");
  if (password == NULL)
    return fa_cli_fail ("serve --set-password: give the password on standard input");
  GError *error = NULL;
  if (!fa_password_check_strength (password, &error)) {
    fa_secret_free (password);
    return fa_cli_fail_error (error);
  }
  if (isatty (STDIN_FILENO)) {
    gchar *again = read_secret_line ("The same again: ");
    gboolean same = again != NULL && g_str_equal (again, password);
    fa_secret_free (again);
    if (!same) {
      fa_secret_free (password);
      return fa_cli_fail ("serve --set-password: the two passwords differ; nothing changed");
    }
  }
  g_autofree gchar *path = password_path (config_dir);
  gboolean ok = fa_password_save (path, password, FA_PASSWORD_ITERATIONS, &error);
  fa_secret_free (password);
  if (!ok)
    return fa_cli_fail_error (error);
  printf ("password set (%s, readable by you only); logged-in pages stay logged in "
      "until the server restarts\n", path);
  return 0;
}

static int
create_credentials (const gchar *config_dir, gboolean replace)
{
  GError *error = NULL;
  g_autofree gchar *key = fa_serve_credentials_create (config_dir, replace, &error);
  if (key == NULL)
    return fa_cli_fail_error (error);
  g_autofree gchar *path = fa_serve_credentials_path (config_dir);
  printf ("created API key pair %s in %s (readable by you only; the secret is only in "
      "that file)\nuse it: AWS_SHARED_CREDENTIALS_FILE=%s aws --endpoint-url "
      "http://127.0.0.1:8080 rekognition list-collections\n", key, path, path);
  return 0;
}

static void
remove_tree (const gchar *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (dir);
}

static int
run (int argc, gchar **argv)
{
  gchar *listen = NULL, *tls_cert = NULL, *tls_key = NULL, *config_dir = NULL;
  gboolean opt_create = FALSE, opt_replace = FALSE, opt_password = FALSE;
  gint workers = 2;
  FaServe serve = { 0 };
  const GOptionEntry entries[] = {
    {"listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
        "Address and port (default 127.0.0.1:8080; 0.0.0.0:PORT for the LAN, with TLS)",
        "HOST:PORT"},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "TLS certificate (PEM)", "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "TLS private key (PEM)", "FILE"},
    {"workers", 0, 0, G_OPTION_ARG_INT, &workers,
        "Threads for API and page work (default 2)", "N"},
    {"create-credentials", 0, 0, G_OPTION_ARG_NONE, &opt_create,
        "Make the API key pair (CONFIG/api-credentials, 0600) and exit", NULL},
    {"replace", 0, 0, G_OPTION_ARG_NONE, &opt_replace,
        "With --create-credentials: replace an existing key pair", NULL},
    {"set-password", 0, 0, G_OPTION_ARG_NONE, &opt_password,
        "Set the page's password (read from standard input) and exit", NULL},
    {"config-dir", 0, 0, G_OPTION_ARG_FILENAME, &config_dir,
        "Where the key pair and password live (default: $FACEALERT_CONFIG_DIR or "
        "~/.config/facealert)", "DIR"},
    {"collections-dir", 0, 0, G_OPTION_ARG_FILENAME, &serve.collections_dir,
        "Face collections (default: $FACEALERT_COLLECTIONS_DIR or "
        "~/.local/share/facealert/collections)", "DIR"},
    {"storage-dir", 0, 0, G_OPTION_ARG_FILENAME, &serve.streams_dir,
        "Stream store (default: $FACEALERT_STREAMS_DIR or "
        "~/.local/share/facealert/streams)", "DIR"},
    {"key-file", 'k', 0, G_OPTION_ARG_FILENAME, &serve.key_file,
        "Key file of an encrypted stream store", "FILE"},
    {"outbox-dir", 0, 0, G_OPTION_ARG_FILENAME, &serve.outbox_dir,
        "alertsink outboxes (default: $FACEALERT_OUTBOX_DIR or "
        "~/.local/state/facealert/outbox)", "DIR"},
    {"snapshots-dir", 0, 0, G_OPTION_ARG_FILENAME, &serve.snapshots_dir,
        "Alert snapshots (default: $FACEALERT_SNAPSHOTS_DIR or "
        "~/.local/share/facealert/snapshots)", "DIR"},
    {"sightings-dir", 0, 0, G_OPTION_ARG_FILENAME, &serve.sightings_dir,
        "Sightings store (default: $FACEALERT_SIGHTINGS_DIR or "
        "~/.local/share/facealert/sightings)", "DIR"},
    {"cameras-dir", 0, 0, G_OPTION_ARG_FILENAME, &serve.cameras_dir,
        "facealert-run's camera status files (default: $FACEALERT_CAMERAS_DIR or "
        "~/.local/state/facealert/cameras)", "DIR"},
    {NULL}
  };
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, "", "Serve the household's page and an "
          "AWS-compatible API (Rekognition, Kinesis Video Streams) on one port. "
          "See docs/serve.md.", entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("serve: unexpected argument \"%s\"", argv[1]);
  if (opt_create + opt_password > 1)
    return fa_cli_fail ("serve: give --create-credentials or --set-password, not both");
  if (opt_create)
    return create_credentials (config_dir, opt_replace);
  if (opt_password)
    return set_password (config_dir);
  if ((tls_cert == NULL) != (tls_key == NULL))
    return fa_cli_fail ("serve: give both --tls-cert and --tls-key, or neither");
  if (workers < 1 || workers > 64)
    return fa_cli_fail ("serve: --workers must be between 1 and 64");

  serve.api_key = fa_serve_credentials_load (config_dir, &error);
  if (serve.api_key == NULL)
    return fa_cli_fail_error (error);
  g_autofree gchar *password_file = password_path (config_dir);
  serve.password_hash = fa_password_load (password_file, &error);
  if (serve.password_hash == NULL)
    return fa_cli_fail_error (error);

  gst_init (NULL, NULL);
  serve.streams = fa_stream_store_new (serve.streams_dir, serve.key_file, &error);
  if (serve.streams == NULL)
    return fa_cli_fail_error (error);
  g_autofree gchar *collections = serve.collections_dir != NULL
      ? g_strdup (serve.collections_dir) : fa_paths_dir (FA_DIR_COLLECTIONS);
  serve.photos_dir = g_build_filename (collections, "photos", NULL);
  serve.cache_dir = g_dir_make_tmp ("facealert-serve-XXXXXX", &error);
  if (serve.cache_dir == NULL)
    return fa_cli_fail_error (error);
  serve.sessions = fa_serve_sessions_new ();
  serve.workers = (guint) workers;
  g_autofree gchar *described = fa_aws_credentials_describe (serve.api_key);
  fprintf (stderr, "facealert serve: API requests must be signed with %s\n", described);

  int code = fa_serve_run (&serve, listen != NULL ? listen : "127.0.0.1:8080", tls_cert,
      tls_key);

  remove_tree (serve.cache_dir);
  fa_serve_sessions_free (serve.sessions);
  fa_stream_store_free (serve.streams);
  fa_aws_credentials_free (serve.api_key);
  fa_secret_free (serve.password_hash);
  g_free (serve.photos_dir);
  g_free (serve.cache_dir);
  g_free (serve.base_url);
  return code;
}

const FaCliGroup fa_cli_group_serve = {
  "serve", "the household's web page and an AWS-compatible API (Rekognition, KVS)",
  run,
};
