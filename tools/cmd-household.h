/* facealert CLI: the household's mode and alert switches (cmd-household.c). */
#pragma once

#include "fa-cli.h"

G_BEGIN_DECLS

/* `facealert alerts enable|disable --camera C`, `facealert alerts switches`
 * (verbs of the alerts group, cmd-alerts.c). */
int fa_cli_alerts_enable (int argc, gchar **argv);
int fa_cli_alerts_disable (int argc, gchar **argv);
int fa_cli_alerts_switches (int argc, gchar **argv);

G_END_DECLS
