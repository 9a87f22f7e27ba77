/* Integration tests of the Kinesis seam (test-kds-*.c): a private world and
 * the producer nodes' pipeline files. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Stores, outboxes and checkpoints under @tmp (FACEALERT_*_DIR), placeholder
 * AWS credentials (the local servers check no signature), and the household
 * collection "home" with John_Lennon enrolled through the CLI. */
void fa_kds_world_init (const gchar *tmp);

/* Writes @tmp/@name, a facealert-run file with one section per camera camN
 * of @cams (0-terminated): ${CAMN_URL} -> facedetect (detect-width 640 for
 * camera @wide, else 320) -> facematch collection=home -> kdssink into
 * ${KDS_STREAM} at ${KDS_ENDPOINT}, camera=${CAMERA}, @kdssink_options
 * appended. Returns the path. */
gchar *fa_kds_world_node_pipeline (const gchar *tmp, const gchar *name,
    const guint *cams, guint wide, const gchar *kdssink_options);

G_END_DECLS
