/* facealert: alertsink, phone alerts for faces and persons through SNS. */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define FA_TYPE_ALERT_SINK (fa_alert_sink_get_type ())
G_DECLARE_FINAL_TYPE (FaAlertSink, fa_alert_sink, FA, ALERT_SINK, GstBaseSink)

G_END_DECLS
