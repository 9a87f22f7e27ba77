/* facealert serve: one AWS API call as the operation handlers see it.
 *
 * serve-aws.c has checked the signature and parsed the JSON body into
 * @input; a handler writes its result's members into @output (an object is
 * open) and returns TRUE, or fails with fa_serve_call_fail*() and returns
 * FALSE. A handler whose result is a raw payload (GetClip's MP4) sets
 * @raw_type and @raw_body instead. */
#pragma once

#include "serve.h"

G_BEGIN_DECLS

typedef struct {
  FaServe *serve;
  gboolean kvs;               /* Kinesis Video (REST-JSON) rather than Rekognition */
  JsonObject *input;
  JsonBuilder *output;
  gchar *raw_type;
  GBytes *raw_body;
  guint error_status;
  gchar *error_code;
  gchar *error_message;
} FaServeCall;

typedef gboolean (*FaServeOp) (FaServeCall *call);

typedef struct {
  const gchar *name;          /* "ListFaces", or a KVS path: "/listFragments" */
  FaServeOp op;
} FaServeOpEntry;

/* NULL-terminated tables (serve-rekognition.c, serve-kvs.c). */
extern const FaServeOpEntry fa_serve_rekognition_ops[];
extern const FaServeOpEntry fa_serve_kvs_ops[];

gboolean fa_serve_call_fail (FaServeCall *call, guint status, const gchar *code,
    const gchar *format, ...) G_GNUC_PRINTF (4, 5);
/* Maps an FA_ERROR (freed) onto the service's exception: NOT_FOUND ->
 * ResourceNotFoundException, INVALID_ARGUMENT -> InvalidParameterException
 * (Rekognition) / InvalidArgumentException (KVS), ... */
gboolean fa_serve_call_fail_error (FaServeCall *call, GError *error);

/* Runs Rekognition operation @name on @input as an API request would (the
 * page reuses IndexFaces, ListFaces, ... this way, so both speak through the
 * same code). Returns the output object, or NULL with *@code (the AWS
 * exception) and *@message set. */
JsonNode *fa_serve_aws_call (FaServe *serve, const gchar *name, JsonObject *input,
    guint *status, gchar **code, gchar **message);

G_END_DECLS
