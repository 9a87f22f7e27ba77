/* facealert: per-fragment Matroska writer and reader (see fa-mkv.h). */
#include "fa-mkv.h"
#include "fa-error.h"

#include <string.h>

#define ID_EBML             0x1A45DFA3
#define ID_EBML_VERSION     0x4286
#define ID_EBML_READ_VERSION 0x42F7
#define ID_EBML_MAX_ID      0x42F2
#define ID_EBML_MAX_SIZE    0x42F3
#define ID_DOCTYPE          0x4282
#define ID_DOCTYPE_VERSION  0x4287
#define ID_DOCTYPE_READ_VERSION 0x4285
#define ID_SEGMENT          0x18538067
#define ID_INFO             0x1549A966
#define ID_TIMECODE_SCALE   0x2AD7B1
#define ID_DURATION         0x4489
#define ID_DATE_UTC         0x4461
#define ID_MUXING_APP       0x4D80
#define ID_WRITING_APP      0x5741
#define ID_TRACKS           0x1654AE6B
#define ID_TRACK_ENTRY      0xAE
#define ID_TRACK_NUMBER     0xD7
#define ID_TRACK_UID        0x73C5
#define ID_TRACK_TYPE       0x83
#define ID_FLAG_LACING      0x9C
#define ID_CODEC_ID         0x86
#define ID_CODEC_PRIVATE    0x63A2
#define ID_VIDEO            0xE0
#define ID_PIXEL_WIDTH      0xB0
#define ID_PIXEL_HEIGHT     0xBA
#define ID_CLUSTER          0x1F43B675
#define ID_TIMECODE         0xE7
#define ID_SIMPLE_BLOCK     0xA3
#define ID_BLOCK_GROUP      0xA0
#define ID_BLOCK            0xA1

#define TIMECODE_SCALE_NS   1000000     /* 1 ms */
#define MAX_CLUSTER_SPAN_MS 30000       /* SimpleBlock offsets are int16 */
/* Seconds from the Unix epoch to the Matroska epoch (2001-01-01 UTC). */
#define MKV_EPOCH_OFFSET_S  G_GINT64_CONSTANT (978307200)

static const struct {
  const gchar *name;
  const gchar *codec_id;
} codecs[] = {
  [FA_CODEC_H264] = {"h264", "V_MPEG4/ISO/AVC"},
  [FA_CODEC_H265] = {"h265", "V_MPEGH/ISO/HEVC"},
};

const gchar *
fa_codec_name (FaCodec codec)
{
  g_return_val_if_fail (codec < G_N_ELEMENTS (codecs), NULL);
  return codecs[codec].name;
}

gboolean
fa_codec_from_name (const gchar *name, FaCodec *codec)
{
  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (g_strcmp0 (name, codecs[i].name) == 0) {
      *codec = i;
      return TRUE;
    }
  return FALSE;
}

/* ---- writing ---------------------------------------------------------- */

static void
put_id (GByteArray *out, guint32 id)
{
  guint8 bytes[4];
  guint n = 0;
  for (gint shift = 24; shift >= 0; shift -= 8)
    if ((id >> shift) != 0 || n > 0)
      bytes[n++] = (id >> shift) & 0xff;
  g_byte_array_append (out, bytes, n);
}

static void
put_size (GByteArray *out, guint64 size)
{
  guint len = 1;
  while (len < 8 && size >= (G_GUINT64_CONSTANT (1) << (7 * len)) - 1)
    len++;
  guint8 bytes[8];
  for (guint i = 0; i < len; i++)
    bytes[len - 1 - i] = (size >> (8 * i)) & 0xff;
  bytes[0] |= 0x80 >> (len - 1);
  g_byte_array_append (out, bytes, len);
}

static void
put_binary (GByteArray *out, guint32 id, const guint8 *data, gsize size)
{
  put_id (out, id);
  put_size (out, size);
  g_byte_array_append (out, data, size);
}

static void
put_uint (GByteArray *out, guint32 id, guint64 value)
{
  guint8 bytes[8];
  guint len = 1;
  while (len < 8 && (value >> (8 * len)) != 0)
    len++;
  for (guint i = 0; i < len; i++)
    bytes[len - 1 - i] = (value >> (8 * i)) & 0xff;
  put_binary (out, id, bytes, len);
}

static void
put_int64 (GByteArray *out, guint32 id, gint64 value)
{
  guint8 bytes[8];
  for (guint i = 0; i < 8; i++)
    bytes[7 - i] = ((guint64) value >> (8 * i)) & 0xff;
  put_binary (out, id, bytes, 8);
}

static void
put_float (GByteArray *out, guint32 id, gdouble value)
{
  guint64 bits;
  memcpy (&bits, &value, 8);
  guint8 bytes[8];
  for (guint i = 0; i < 8; i++)
    bytes[7 - i] = (bits >> (8 * i)) & 0xff;
  put_binary (out, id, bytes, 8);
}

static void
put_string (GByteArray *out, guint32 id, const gchar *value)
{
  put_binary (out, id, (const guint8 *) value, strlen (value));
}

static void
put_master (GByteArray *out, guint32 id, GByteArray *child)
{
  put_binary (out, id, child->data, child->len);
}

struct _FaMkvWriter {
  FaCodec codec;
  GBytes *codec_private;
  guint width, height;
  gint64 producer_start_us;
  GByteArray *clusters;         /* finished clusters, serialized */
  GByteArray *cluster;          /* the open cluster's children */
  gint64 cluster_ms;
  guint frames;
};

FaMkvWriter *
fa_mkv_writer_new (FaCodec codec, GBytes *codec_private, guint width,
    guint height, gint64 producer_start_us)
{
  FaMkvWriter *writer = g_new0 (FaMkvWriter, 1);
  writer->codec = codec;
  writer->codec_private = codec_private ? g_bytes_ref (codec_private) : NULL;
  writer->width = width;
  writer->height = height;
  writer->producer_start_us = producer_start_us;
  writer->clusters = g_byte_array_new ();
  return writer;
}

static void
close_cluster (FaMkvWriter *writer)
{
  if (writer->cluster == NULL)
    return;
  put_master (writer->clusters, ID_CLUSTER, writer->cluster);
  g_byte_array_unref (writer->cluster);
  writer->cluster = NULL;
}

void
fa_mkv_writer_add_frame (FaMkvWriter *writer, gint64 pts_us,
    gboolean keyframe, const guint8 *data, gsize size)
{
  gint64 ms = pts_us / 1000;
  if (writer->cluster != NULL && (ms - writer->cluster_ms > MAX_CLUSTER_SPAN_MS
          || ms - writer->cluster_ms < -MAX_CLUSTER_SPAN_MS))
    close_cluster (writer);
  if (writer->cluster == NULL) {
    writer->cluster = g_byte_array_new ();
    writer->cluster_ms = MAX (ms, 0);
    put_uint (writer->cluster, ID_TIMECODE, writer->cluster_ms);
  }
  gint16 rel = (gint16) (ms - writer->cluster_ms);
  guint8 header[4] = { 0x81, (guint8) ((guint16) rel >> 8),
    (guint8) ((guint16) rel & 0xff), keyframe ? 0x80 : 0x00 };
  put_id (writer->cluster, ID_SIMPLE_BLOCK);
  put_size (writer->cluster, sizeof header + size);
  g_byte_array_append (writer->cluster, header, sizeof header);
  g_byte_array_append (writer->cluster, data, size);
  writer->frames++;
}

guint
fa_mkv_writer_frame_count (FaMkvWriter *writer)
{
  return writer->frames;
}

GBytes *
fa_mkv_writer_finish (FaMkvWriter *writer, gint64 duration_us)
{
  close_cluster (writer);

  g_autoptr (GByteArray) ebml = g_byte_array_new ();
  put_uint (ebml, ID_EBML_VERSION, 1);
  put_uint (ebml, ID_EBML_READ_VERSION, 1);
  put_uint (ebml, ID_EBML_MAX_ID, 4);
  put_uint (ebml, ID_EBML_MAX_SIZE, 8);
  put_string (ebml, ID_DOCTYPE, "matroska");
  put_uint (ebml, ID_DOCTYPE_VERSION, 4);
  put_uint (ebml, ID_DOCTYPE_READ_VERSION, 2);

  g_autoptr (GByteArray) info = g_byte_array_new ();
  put_uint (info, ID_TIMECODE_SCALE, TIMECODE_SCALE_NS);
  put_float (info, ID_DURATION, duration_us / 1000.0);
  put_int64 (info, ID_DATE_UTC,
      (writer->producer_start_us - MKV_EPOCH_OFFSET_S * G_USEC_PER_SEC) * 1000);
  put_string (info, ID_MUXING_APP, "facealert kvssink");
  put_string (info, ID_WRITING_APP, "facealert kvssink");

  g_autoptr (GByteArray) video = g_byte_array_new ();
  put_uint (video, ID_PIXEL_WIDTH, writer->width);
  put_uint (video, ID_PIXEL_HEIGHT, writer->height);

  g_autoptr (GByteArray) entry = g_byte_array_new ();
  put_uint (entry, ID_TRACK_NUMBER, 1);
  put_uint (entry, ID_TRACK_UID, 1);
  put_uint (entry, ID_TRACK_TYPE, 1);
  put_uint (entry, ID_FLAG_LACING, 0);
  put_string (entry, ID_CODEC_ID, codecs[writer->codec].codec_id);
  if (writer->codec_private != NULL) {
    gsize size;
    const guint8 *data = g_bytes_get_data (writer->codec_private, &size);
    put_binary (entry, ID_CODEC_PRIVATE, data, size);
  }
  put_master (entry, ID_VIDEO, video);

  g_autoptr (GByteArray) tracks = g_byte_array_new ();
  put_master (tracks, ID_TRACK_ENTRY, entry);

  g_autoptr (GByteArray) segment = g_byte_array_new ();
  put_master (segment, ID_INFO, info);
  put_master (segment, ID_TRACKS, tracks);
  g_byte_array_append (segment, writer->clusters->data, writer->clusters->len);

  GByteArray *out = g_byte_array_sized_new (segment->len + 128);
  put_master (out, ID_EBML, ebml);
  put_master (out, ID_SEGMENT, segment);

  fa_mkv_writer_free (writer);
  return g_byte_array_free_to_bytes (out);
}

void
fa_mkv_writer_free (FaMkvWriter *writer)
{
  if (writer == NULL)
    return;
  g_clear_pointer (&writer->codec_private, g_bytes_unref);
  g_clear_pointer (&writer->cluster, g_byte_array_unref);
  g_byte_array_unref (writer->clusters);
  g_free (writer);
}

/* ---- reading ---------------------------------------------------------- */

typedef struct {
  const guint8 *data;
  gsize size;
  gsize pos;
} Reader;

static gboolean
read_vint (Reader *r, guint64 *value, gboolean keep_marker, gboolean *unknown)
{
  if (r->pos >= r->size)
    return FALSE;
  guint8 first = r->data[r->pos];
  guint len = 1;
  while (len <= 8 && !(first & (0x80 >> (len - 1))))
    len++;
  if (len > 8 || r->pos + len > r->size)
    return FALSE;
  guint64 v = keep_marker ? first : (first & (0xff >> len));
  gboolean all_ones = (first & (0xff >> len)) == (0xff >> len);
  for (guint i = 1; i < len; i++) {
    v = (v << 8) | r->data[r->pos + i];
    all_ones = all_ones && r->data[r->pos + i] == 0xff;
  }
  r->pos += len;
  *value = v;
  if (unknown != NULL)
    *unknown = all_ones;
  return TRUE;
}

static guint64
be_uint (const guint8 *data, gsize size)
{
  guint64 v = 0;
  for (gsize i = 0; i < size && i < 8; i++)
    v = (v << 8) | data[i];
  return v;
}

void
fa_mkv_fragment_free (FaMkvFragment *fragment)
{
  if (fragment == NULL)
    return;
  g_clear_pointer (&fragment->codec_private, g_bytes_unref);
  g_clear_pointer (&fragment->data, g_bytes_unref);
  g_clear_pointer (&fragment->frames, g_array_unref);
  g_free (fragment);
}

static gpointer
corrupt (GError **error, const gchar *what)
{
  g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
      "fragment is not valid Matroska: %s", what);
  return NULL;
}

FaMkvFragment *
fa_mkv_fragment_parse (GBytes *data, GError **error)
{
  Reader r = { 0 };
  r.data = g_bytes_get_data (data, &r.size);
  if (r.size < 4 || be_uint (r.data, 4) != ID_EBML)
    return corrupt (error, "no EBML header");

  g_autoptr (FaMkvFragment) frag = g_new0 (FaMkvFragment, 1);
  frag->data = g_bytes_ref (data);
  frag->frames = g_array_new (FALSE, FALSE, sizeof (FaMkvFrame));
  guint64 scale = TIMECODE_SCALE_NS;
  gdouble duration = 0;
  guint64 track_number = 0, entry_number = 0, entry_type = 0;
  g_autofree gchar *codec_id = NULL;
  gint64 cluster_tc = 0;
  gboolean have_codec = FALSE;

  /* A linear walk: the masters we care about are entered, all else skipped,
   * so unknown-size segments and clusters (live muxers) read too. */
  while (r.pos < r.size) {
    guint64 id, size;
    gboolean unknown;
    if (!read_vint (&r, &id, TRUE, NULL) || !read_vint (&r, &size, FALSE, &unknown))
      return corrupt (error, "truncated element header");
    switch (id) {
      case ID_SEGMENT:
      case ID_CLUSTER:
      case ID_INFO:
      case ID_TRACKS:
      case ID_VIDEO:
      case ID_BLOCK_GROUP:
        continue;
      case ID_TRACK_ENTRY:
        entry_number = entry_type = 0;
        continue;
      default:
        break;
    }
    if (unknown || size > r.size - r.pos)
      return corrupt (error, "truncated element");
    const guint8 *body = r.data + r.pos;
    r.pos += size;
    switch (id) {
      case ID_TIMECODE_SCALE:
        scale = be_uint (body, size);
        if (scale == 0)
          return corrupt (error, "zero timecode scale");
        break;
      case ID_DURATION:
        if (size == 8) {
          guint64 bits = be_uint (body, 8);
          memcpy (&duration, &bits, 8);
        } else if (size == 4) {
          guint32 bits = be_uint (body, 4);
          gfloat f;
          memcpy (&f, &bits, 4);
          duration = f;
        }
        break;
      case ID_DATE_UTC:
        frag->producer_start_us = (gint64) be_uint (body, size) / 1000
            + MKV_EPOCH_OFFSET_S * G_USEC_PER_SEC;
        break;
      case ID_TRACK_NUMBER:
        entry_number = be_uint (body, size);
        break;
      case ID_TRACK_TYPE:
        entry_type = be_uint (body, size);
        break;
      case ID_CODEC_ID:
        if (!have_codec && entry_type == 1) {
          g_free (codec_id);
          codec_id = g_strndup ((const gchar *) body, size);
          track_number = entry_number;
        }
        break;
      case ID_CODEC_PRIVATE:
        if (!have_codec && entry_type == 1 && entry_number == track_number) {
          frag->codec_private = g_bytes_new (body, size);
          have_codec = TRUE;
        }
        break;
      case ID_PIXEL_WIDTH:
        if (entry_number == track_number && frag->width == 0)
          frag->width = be_uint (body, size);
        break;
      case ID_PIXEL_HEIGHT:
        if (entry_number == track_number && frag->height == 0)
          frag->height = be_uint (body, size);
        break;
      case ID_TIMECODE:
        cluster_tc = be_uint (body, size);
        break;
      case ID_SIMPLE_BLOCK:
      case ID_BLOCK:{
        Reader b = { body, size, 0 };
        guint64 track;
        if (!read_vint (&b, &track, FALSE, NULL) || b.pos + 3 > size)
          return corrupt (error, "bad block header");
        gint16 rel = (gint16) ((body[b.pos] << 8) | body[b.pos + 1]);
        guint8 flags = body[b.pos + 2];
        b.pos += 3;
        if (track != track_number)
          break;
        if (flags & 0x06)
          return corrupt (error, "laced blocks are not supported");
        FaMkvFrame frame = {
          .pts_us = (gint64) ((cluster_tc + rel) * scale / 1000),
          .keyframe = id == ID_SIMPLE_BLOCK ? (flags & 0x80) != 0
              : frag->frames->len == 0,
          .offset = (body - r.data) + b.pos,
          .size = size - b.pos,
        };
        g_array_append_val (frag->frames, frame);
        break;
      }
      default:
        break;
    }
  }

  if (codec_id == NULL)
    return corrupt (error, "no video track");
  if (g_strcmp0 (codec_id, codecs[FA_CODEC_H264].codec_id) == 0)
    frag->codec = FA_CODEC_H264;
  else if (g_strcmp0 (codec_id, codecs[FA_CODEC_H265].codec_id) == 0)
    frag->codec = FA_CODEC_H265;
  else {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "fragment holds codec %s; only H.264 and H.265 are supported", codec_id);
    return NULL;
  }
  frag->duration_us = (gint64) (duration * scale / 1000);
  return g_steal_pointer (&frag);
}
