/* facealert: the JSON shape of a sighting, one for the CLI (`sightings show`,
 * --output json) and the server, so both say the same thing. */
#pragma once

#include <json-glib/json-glib.h>

#include "fa-sightings.h"

G_BEGIN_DECLS

/* Adds one object: SightingId, Camera, TrackId, FirstSeenTime, DecidedTime,
 * LastSeenTime (epoch seconds), Decision ("known"/"unknown"), Name (null
 * when unknown), FaceId, Similarity, Confirmed, CollectionId, BoundingBox
 * (ratios of the frame), Confidence (percent), FrameWidth, FrameHeight,
 * Crop {Width, Height, Size}, Embeddings (how many the mean is of),
 * FaceModelVersion, EnrolledFaceId, RejectedNames. The embedding and the
 * crop's bytes are not included. */
void fa_json_add_sighting (JsonBuilder *builder, const FaSighting *sighting);

G_END_DECLS
