/* facealert: error domain shared by every part of libfacealert. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FA_ERROR (fa_error_quark ())
GQuark fa_error_quark (void);

typedef enum {
  FA_ERROR_FAILED,            /* anything not covered below */
  FA_ERROR_NOT_FOUND,         /* file, collection, stream, fragment, face... */
  FA_ERROR_INVALID_ARGUMENT,  /* bad name, bad value, bad time range */
  FA_ERROR_CORRUPT,           /* model, database or fragment cannot be parsed */
  FA_ERROR_BAD_IMAGE,         /* not an image, or an undecodable one */
  FA_ERROR_NO_FACE,           /* an image that should hold a face holds none */
  FA_ERROR_EXISTS,            /* already exists */
  FA_ERROR_BUSY,              /* database locked longer than the timeout */
  FA_ERROR_IO,                /* read/write failure, full disk */
  FA_ERROR_AUTH,              /* bad credentials, bad signature, wrong key */
  FA_ERROR_NETWORK,           /* DNS, TCP, TLS, timeouts: worth retrying */
  FA_ERROR_REMOTE,            /* the remote service refused: not worth retrying */
  FA_ERROR_THROTTLED,         /* the remote service asked to slow down */
} FaErrorCode;

G_END_DECLS
