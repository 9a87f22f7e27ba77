/* facealert: grouping face embeddings by person (average-linkage
 * agglomerative clustering), for `facealert sightings cluster`. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Clusters @n unit vectors of @dim floats (row i at @vectors + i * @dim):
 * starting from singletons, the two groups with the highest mean pairwise
 * cosine are merged while that mean is >= @min_cosine. Average linkage does
 * not chain two different people together through one blurred face the way
 * single linkage does. Writes a label per vector into @labels (0 = the
 * largest group, ties by first member) and returns the number of groups.
 * Memory: n * n floats. */
guint fa_cluster_average_linkage (const float *vectors, guint n, int dim, float min_cosine,
    guint *labels);

G_END_DECLS
