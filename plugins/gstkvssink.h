/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define FA_TYPE_KVS_SINK (fa_kvs_sink_get_type ())
G_DECLARE_FINAL_TYPE (FaKvsSink, fa_kvs_sink, FA, KVS_SINK, GstBaseSink)

G_END_DECLS
