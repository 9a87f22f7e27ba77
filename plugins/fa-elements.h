/* facealert: the elements the plugin registers. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* One GST_ELEMENT_REGISTER_DECLARE line per element. */
GST_ELEMENT_REGISTER_DECLARE (facematch);
GST_ELEMENT_REGISTER_DECLARE (alertsink);
GST_ELEMENT_REGISTER_DECLARE (kvssink);
GST_ELEMENT_REGISTER_DECLARE (facedetect);
GST_ELEMENT_REGISTER_DECLARE (objectdetect);
GST_ELEMENT_REGISTER_DECLARE (kdssink);

G_END_DECLS
