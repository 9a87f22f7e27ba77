#include "fa-error.h"

G_DEFINE_QUARK (facealert-error-quark, fa_error)
