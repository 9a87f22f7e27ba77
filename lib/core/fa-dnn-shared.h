/* facealert: how many networks the process shares (see fa-dnn-shared.hpp). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Number of distinct networks loaded in this process right now (each shared
 * by every detector or embedder that uses the same model and settings). */
guint fa_dnn_shared_count (void);

/* The most copies of one network the process holds: one per core, or
 * FACEALERT_DNN_COPIES. */
guint fa_dnn_max_copies (void);

G_END_DECLS
