/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fa-elements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  /* Each element registers itself here (one line per element). */
  ret |= GST_ELEMENT_REGISTER (kvssink, plugin);
  ret |= GST_ELEMENT_REGISTER (facedetect, plugin);
  ret |= TRUE;
  ret |= GST_ELEMENT_REGISTER (facematch, plugin);
  ret |= GST_ELEMENT_REGISTER (alertsink, plugin);
  ret |= GST_ELEMENT_REGISTER (objectdetect, plugin);
  ret |= GST_ELEMENT_REGISTER (kdssink, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, facealert,
    "Local face alerts: record, detect, recognise and notify",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
