/* facealert: kdssink, facematch's records into a Kinesis Data Stream. */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define FA_TYPE_KDS_SINK (fa_kds_sink_get_type ())
G_DECLARE_FINAL_TYPE (FaKdsSink, fa_kds_sink, FA, KDS_SINK, GstBaseSink)

G_END_DECLS
