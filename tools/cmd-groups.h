/* facealert CLI: every sub-command group, one per cmd-*.c file. */
#pragma once

#include "fa-cli.h"

G_BEGIN_DECLS

extern const FaCliGroup fa_cli_group_collection;   /* cmd-collection.c */
extern const FaCliGroup fa_cli_group_faces;        /* cmd-faces.c */
extern const FaCliGroup fa_cli_streams;            /* cmd-streams.c */
extern const FaCliGroup fa_cli_fragments;
extern const FaCliGroup fa_cli_media;
extern const FaCliGroup fa_cli_clip;               /* cmd-streams-export.c */
extern const FaCliGroup fa_cli_images;
extern const FaCliGroup fa_cli_group_alerts;       /* cmd-alerts.c */
extern const FaCliGroup fa_cli_group_sightings;    /* cmd-sightings.c */
extern const FaCliGroup fa_cli_group_consume;      /* cmd-consume.c */
extern const FaCliGroup fa_cli_group_serve;        /* serve/cmd-serve.c */

G_END_DECLS
