/* Integration: `facealert serve`'s AWS-compatible API with the real AWS CLI
 * (/usr/bin/aws) and boto3 (/usr/bin/python3, tests/integration/serve-boto3.py)
 * over real data (serve-fixture.h): Rekognition's ListFaces, IndexFaces,
 * SearchFacesByImage, SearchFaces (with the household's negative examples),
 * DeleteFaces; KVS's ListStreams,
 * DescribeStream, GetDataEndpoint, ListFragments, GetClip (ffprobe reads the
 * MP4), GetImages, GetMediaForFragmentList. Refused: a wrong secret, an
 * unknown key, an unsigned request, a stale date, a signature replayed on
 * another operation; the refusals are AWS's exceptions with status 403. */
#include "serve-fixture.h"
#include "fa-sigv4.h"
#include "fa-test.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define AWS "/usr/bin/aws"

static FaServeFixture *fixture;

/* Runs the AWS CLI against the server: exit status, stdout, stderr. */
static int
aws (gchar **out, gchar **err, const gchar *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, (gpointer) AWS);
  g_ptr_array_add (args, (gpointer) "--endpoint-url");
  g_ptr_array_add (args, fixture->url);
  g_ptr_array_add (args, (gpointer) "--region");
  g_ptr_array_add (args, (gpointer) "us-east-1");
  g_ptr_array_add (args, (gpointer) "--output");
  g_ptr_array_add (args, (gpointer) "json");
  va_list ap;
  va_start (ap, first);
  for (const gchar *a = first; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  gchar *o = NULL, *e = NULL;
  int status = fa_test_run_argv ((const gchar *const *) args->pdata, &o, &e);
  if (status != 0)
    g_test_message ("aws %s %s: exit %d: %s", (gchar *) args->pdata[7],
        (gchar *) args->pdata[8], status, e);
  if (out != NULL)
    *out = o;
  else
    g_free (o);
  if (err != NULL)
    *err = e;
  else
    g_free (e);
  return status;
}

static JsonObject *
parse_object (const gchar *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s): %s", error->message, text);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A timestamp as the AWS CLI v2 prints it (ISO 8601), in epoch seconds. */
static gdouble
timestamp_of (JsonObject *o, const gchar *name)
{
  const gchar *text = json_object_get_string_member (o, name);
  g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t) + g_date_time_get_microsecond (t) / 1e6;
}

static gchar *
file_uri (const gchar *relative)
{
  g_autofree gchar *path = fa_test_data_path (relative);
  return g_strconcat ("fileb://", path, NULL);
}

static gboolean
has_face_named (JsonArray *faces, const gchar *name)
{
  for (guint i = 0; i < json_array_get_length (faces); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (faces,
                    i), "ExternalImageId"), name))
      return TRUE;
  return FALSE;
}

/* ---- Rekognition through the AWS CLI ------------------------------------- */

static void
test_rekognition_cli (void)
{
  g_autofree gchar *out = NULL;
  g_assert_cmpint (aws (&out, NULL, "rekognition", "list-collections", NULL), ==, 0);
  g_autoptr (JsonObject) collections = parse_object (out);
  JsonArray *ids = json_object_get_array_member (collections, "CollectionIds");
  g_assert_cmpuint (json_array_get_length (ids), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (ids, 0), ==, "home");

  /* list-faces: the face the CLI enrolled. */
  g_autofree gchar *listed = NULL;
  g_assert_cmpint (aws (&listed, NULL, "rekognition", "list-faces", "--collection-id",
          "home", NULL), ==, 0);
  g_autoptr (JsonObject) before = parse_object (listed);
  JsonArray *faces = json_object_get_array_member (before, "Faces");
  g_assert_cmpuint (json_array_get_length (faces), ==, 1);
  g_assert_true (has_face_named (faces, "John_Lennon"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (before,
              "FaceModelVersion"), "mobilefacenet/"));

  /* index-faces: a second person, from the image's bytes. */
  g_autofree gchar *clapton = file_uri ("people/Eric_Clapton/1.jpg");
  g_autofree gchar *indexed = NULL;
  g_assert_cmpint (aws (&indexed, NULL, "rekognition", "index-faces", "--collection-id",
          "home", "--external-image-id", "Eric_Clapton", "--image-bytes", clapton, NULL),
      ==, 0);
  g_autoptr (JsonObject) index = parse_object (indexed);
  JsonArray *records = json_object_get_array_member (index, "FaceRecords");
  g_assert_cmpuint (json_array_get_length (records), ==, 1);
  JsonObject *face = json_object_get_object_member (json_array_get_object_element (records,
          0), "Face");
  g_assert_cmpstr (json_object_get_string_member (face, "ExternalImageId"), ==,
      "Eric_Clapton");
  g_autofree gchar *clapton_id = g_strdup (json_object_get_string_member (face, "FaceId"));
  g_assert_true (json_object_has_member (index, "UnindexedFaces"));

  /* search-faces-by-image: another photo of him finds him first. */
  g_autofree gchar *clapton2 = file_uri ("people/Eric_Clapton/2.jpg");
  g_autofree gchar *found = NULL;
  g_assert_cmpint (aws (&found, NULL, "rekognition", "search-faces-by-image",
          "--collection-id", "home", "--image-bytes", clapton2, NULL), ==, 0);
  g_autoptr (JsonObject) search = parse_object (found);
  JsonArray *matches = json_object_get_array_member (search, "FaceMatches");
  g_assert_cmpuint (json_array_get_length (matches), >=, 1);
  JsonObject *best = json_array_get_object_element (matches, 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (best,
              "Face"), "FaceId"), ==, clapton_id);
  g_assert_cmpfloat (json_object_get_double_member (best, "Similarity"), >, 37.0);
  g_assert_true (json_object_has_member (search, "SearchedFaceBoundingBox"));

  /* A stranger matches nobody; the dog photo has no face at all. */
  g_autofree gchar *stranger = file_uri ("unknown_faces/Steve_Carell.jpg");
  g_autofree gchar *none = NULL;
  g_assert_cmpint (aws (&none, NULL, "rekognition", "search-faces-by-image",
          "--collection-id", "home", "--image-bytes", stranger, NULL), ==, 0);
  g_autoptr (JsonObject) nobody = parse_object (none);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (nobody,
              "FaceMatches")), ==, 0);
  g_autofree gchar *dog = file_uri ("negatives/darknet_dog.jpg");
  g_autofree gchar *err = NULL;
  g_assert_cmpint (aws (NULL, &err, "rekognition", "search-faces-by-image",
          "--collection-id", "home", "--image-bytes", dog, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "InvalidParameterException"));
  g_assert_nonnull (strstr (err, "There are no faces in the image"));

  /* Errors as Rekognition names them. */
  g_autofree gchar *err2 = NULL;
  g_assert_cmpint (aws (NULL, &err2, "rekognition", "list-faces", "--collection-id",
          "nowhere", NULL), !=, 0);
  g_assert_nonnull (strstr (err2, "ResourceNotFoundException"));
  g_autofree gchar *err3 = NULL;
  g_assert_cmpint (aws (NULL, &err3, "rekognition", "create-collection", "--collection-id",
          "home", NULL), !=, 0);
  g_assert_nonnull (strstr (err3, "ResourceAlreadyExistsException"));
  g_autofree gchar *garbage = g_build_filename (fixture->root, "garbage.jpg", NULL);
  g_assert_true (g_file_set_contents (garbage, "not an image at all", -1, NULL));
  g_autofree gchar *garbage_uri = g_strconcat ("fileb://", garbage, NULL);
  g_autofree gchar *err4 = NULL;
  g_assert_cmpint (aws (NULL, &err4, "rekognition", "index-faces", "--collection-id",
          "home", "--external-image-id", "x", "--image-bytes", garbage_uri, NULL), !=, 0);
  g_assert_nonnull (strstr (err4, "InvalidImageFormatException"));

  /* search-faces by id, then delete-faces and the collection shrinks. */
  g_autofree gchar *by_id = NULL;
  g_assert_cmpint (aws (&by_id, NULL, "rekognition", "search-faces", "--collection-id",
          "home", "--face-id", clapton_id, NULL), ==, 0);
  g_autoptr (JsonObject) by_id_obj = parse_object (by_id);
  g_assert_cmpstr (json_object_get_string_member (by_id_obj, "SearchedFaceId"), ==,
      clapton_id);
  g_autofree gchar *deleted = NULL;
  g_assert_cmpint (aws (&deleted, NULL, "rekognition", "delete-faces", "--collection-id",
          "home", "--face-ids", clapton_id, "00000000-0000-4000-8000-000000000000", NULL),
      ==, 0);
  g_autoptr (JsonObject) del = parse_object (deleted);
  JsonArray *gone = json_object_get_array_member (del, "DeletedFaces");
  g_assert_cmpuint (json_array_get_length (gone), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (gone, 0), ==, clapton_id);
  g_autofree gchar *described = NULL;
  g_assert_cmpint (aws (&described, NULL, "rekognition", "describe-collection",
          "--collection-id", "home", NULL), ==, 0);
  g_autoptr (JsonObject) info = parse_object (described);
  g_assert_cmpint (json_object_get_int_member (info, "FaceCount"), ==, 1);

  /* The server wrote to the store the CLI reads. */
  g_autofree gchar *cli_out = NULL;
  g_assert_cmpint (fa_serve_cli (&cli_out, NULL, "faces", "list", "--collection", "home",
          NULL), ==, 0);
  g_assert_nonnull (strstr (cli_out, "John_Lennon"));
  g_assert_null (strstr (cli_out, "Eric_Clapton"));
}

/* ---- the household's decisions: negative examples veto ------------------- */

/* The names SearchFacesByImage answers for @photo in @collection. */
static gchar *
names_found (const gchar *collection, const gchar *photo)
{
  g_autofree gchar *uri = file_uri (photo);
  g_autofree gchar *out = NULL;
  g_assert_cmpint (aws (&out, NULL, "rekognition", "search-faces-by-image",
          "--collection-id", collection, "--image-bytes", uri, NULL), ==, 0);
  g_autoptr (JsonObject) search = parse_object (out);
  JsonArray *matches = json_object_get_array_member (search, "FaceMatches");
  GString *names = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (matches); i++)
    g_string_append_printf (names, "%s ", json_object_get_string_member (
            json_object_get_object_member (json_array_get_object_element (matches, i),
                "Face"), "ExternalImageId"));
  return g_string_free (names, FALSE);
}

/* A face the household rejected ("this is not Tony_Blair", through
 * `facealert sightings reject` on a sighting facematch recorded) is no longer
 * answered as him by SearchFacesByImage, nor by SearchFaces; a true photo of
 * him still is. Tony_Blair/2.jpg stands for the look-alike: its similarity to
 * his enrolled photos 1 and 3 (55.9, 50.2) is well above the threshold, and
 * photo 4 is nearer his photo 3 (70.8) than the rejected face (61.1). */
static void
test_rejected_sighting (void)
{
  const gchar *collection = "visitors", *name = "Tony_Blair";
  g_assert_cmpint (aws (NULL, NULL, "rekognition", "create-collection", "--collection-id",
          collection, NULL), ==, 0);
  const gchar *enrolled[] = { "people_more/Tony_Blair/1.jpg", "people_more/Tony_Blair/3.jpg" };
  for (guint i = 0; i < G_N_ELEMENTS (enrolled); i++) {
    g_autofree gchar *uri = file_uri (enrolled[i]);
    g_assert_cmpint (aws (NULL, NULL, "rekognition", "index-faces", "--collection-id",
            collection, "--external-image-id", name, "--image-bytes", uri, NULL), ==, 0);
  }
  const gchar *look_alike = "people_more/Tony_Blair/2.jpg";
  const gchar *true_photo = "people_more/Tony_Blair/4.jpg";
  /* The look-alike, also kept in the collection under another name so that
   * SearchFaces can start from its FaceId. */
  g_autofree gchar *look_alike_uri = file_uri (look_alike);
  g_autofree gchar *indexed = NULL;
  g_assert_cmpint (aws (&indexed, NULL, "rekognition", "index-faces", "--collection-id",
          collection, "--external-image-id", "Visitor", "--image-bytes", look_alike_uri, NULL),
      ==, 0);
  g_autoptr (JsonObject) index = parse_object (indexed);
  g_autofree gchar *visitor_id = g_strdup (json_object_get_string_member (
          json_object_get_object_member (json_array_get_object_element (
                  json_object_get_array_member (index, "FaceRecords"), 0), "Face"), "FaceId"));

  g_autofree gchar *before = names_found (collection, look_alike);
  g_assert_nonnull (strstr (before, name));

  /* The door camera sees the look-alike; the household says it is not him. */
  gint64 id = fa_serve_see (collection, "door", look_alike);
  g_autofree gchar *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_assert_cmpint (fa_serve_cli (NULL, NULL, "sightings", "reject", id_text, "--not", name,
          NULL), ==, 0);

  g_autofree gchar *after = names_found (collection, look_alike);
  g_test_message ("look-alike: before the rejection %s, after %s", before, after);
  g_assert_null (strstr (after, name));
  g_autofree gchar *still = names_found (collection, true_photo);
  g_assert_nonnull (strstr (still, name));

  /* SearchFaces from the look-alike's stored face: the same veto. */
  g_autofree gchar *by_id = NULL;
  g_assert_cmpint (aws (&by_id, NULL, "rekognition", "search-faces", "--collection-id",
          collection, "--face-id", visitor_id, NULL), ==, 0);
  g_assert_null (strstr (by_id, name));

  g_assert_cmpint (aws (NULL, NULL, "rekognition", "delete-collection", "--collection-id",
          collection, NULL), ==, 0);
}

/* ---- Kinesis Video Streams through the AWS CLI --------------------------- */

static gchar *
epoch (gdouble seconds)
{
  return g_strdup_printf ("%.3f", seconds);
}

static void
test_kvs_cli (void)
{
  g_autofree gchar *streams = NULL;
  g_assert_cmpint (aws (&streams, NULL, "kinesisvideo", "list-streams", NULL), ==, 0);
  g_autoptr (JsonObject) list = parse_object (streams);
  JsonArray *infos = json_object_get_array_member (list, "StreamInfoList");
  g_assert_cmpuint (json_array_get_length (infos), ==, 1);
  JsonObject *info = json_array_get_object_element (infos, 0);
  g_assert_cmpstr (json_object_get_string_member (info, "StreamName"), ==, FA_SERVE_CAMERA);
  g_assert_cmpstr (json_object_get_string_member (info, "MediaType"), ==, "video/h264");
  const gchar *arn = json_object_get_string_member (info, "StreamARN");

  g_autofree gchar *described = NULL;
  g_assert_cmpint (aws (&described, NULL, "kinesisvideo", "describe-stream",
          "--stream-arn", arn, NULL), ==, 0);
  g_autoptr (JsonObject) description = parse_object (described);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
              description, "StreamInfo"), "StreamName"), ==, FA_SERVE_CAMERA);
  g_autofree gchar *err = NULL;
  g_assert_cmpint (aws (NULL, &err, "kinesisvideo", "describe-stream", "--stream-name",
          "cam9", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "ResourceNotFoundException"));

  g_autofree gchar *endpoint = NULL;
  g_assert_cmpint (aws (&endpoint, NULL, "kinesisvideo", "get-data-endpoint",
          "--stream-name", FA_SERVE_CAMERA, "--api-name", "GET_CLIP", NULL), ==, 0);
  g_autoptr (JsonObject) data_endpoint = parse_object (endpoint);
  g_assert_cmpstr (json_object_get_string_member (data_endpoint, "DataEndpoint"), ==,
      fixture->url);

  /* list-fragments over the recording, by producer time. */
  g_autofree gchar *from = epoch (fixture->recorded_from - 1);
  g_autofree gchar *to = epoch (fixture->recorded_to + 1);
  g_autofree gchar *selector = g_strdup_printf ("FragmentSelectorType=PRODUCER_TIMESTAMP,"
      "TimestampRange={StartTimestamp=%s,EndTimestamp=%s}", from, to);
  g_autofree gchar *fragments = NULL;
  g_assert_cmpint (aws (&fragments, NULL, "kinesis-video-archived-media", "list-fragments",
          "--stream-name", FA_SERVE_CAMERA, "--fragment-selector", selector, NULL), ==, 0);
  g_autoptr (JsonObject) frags = parse_object (fragments);
  JsonArray *array = json_object_get_array_member (frags, "Fragments");
  g_assert_cmpuint (json_array_get_length (array), >=, 1);
  JsonObject *first = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "FragmentNumber"), ==, "1");
  g_assert_cmpint (json_object_get_int_member (first, "FragmentSizeInBytes"), >, 1000);
  g_assert_cmpfloat (ABS (timestamp_of (first, "ProducerTimestamp")
          - fixture->recorded_from), <, 0.01);

  /* get-clip: an MP4 that ffprobe reads, H.264, as long as the recording. */
  g_autofree gchar *clip_selector = g_strdup_printf ("FragmentSelectorType="
      "PRODUCER_TIMESTAMP,TimestampRange={StartTimestamp=%s,EndTimestamp=%s}", from, to);
  g_autofree gchar *clip = g_build_filename (fixture->root, "clip.mp4", NULL);
  g_autofree gchar *clip_out = NULL;
  g_assert_cmpint (aws (&clip_out, NULL, "kinesis-video-archived-media", "get-clip",
          "--stream-name", FA_SERVE_CAMERA, "--clip-fragment-selector", clip_selector, clip,
          NULL), ==, 0);
  g_autoptr (JsonObject) clip_info = parse_object (clip_out);
  g_assert_cmpstr (json_object_get_string_member (clip_info, "ContentType"), ==,
      "video/mp4");
  const gchar *probe[] = { "ffprobe", "-v", "error", "-select_streams", "v:0",
    "-show_entries", "stream=codec_name:format=duration,format_name", "-of", "json", clip,
    NULL };
  g_autofree gchar *probed = NULL;
  g_assert_cmpint (fa_test_run_argv (probe, &probed, NULL), ==, 0);
  g_autoptr (JsonObject) probe_info = parse_object (probed);
  JsonObject *format = json_object_get_object_member (probe_info, "format");
  g_assert_nonnull (strstr (json_object_get_string_member (format, "format_name"), "mp4"));
  gdouble duration = g_ascii_strtod (json_object_get_string_member (format, "duration"),
      NULL);
  g_assert_cmpfloat (ABS (duration - (fixture->recorded_to - fixture->recorded_from)), <,
      1.0);
  JsonArray *video = json_object_get_array_member (probe_info, "streams");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (video, 0),
          "codec_name"), ==, "h264");

  /* get-images: JPEGs every 3 s (the CLI's smallest interval), base64. The
   * CLI sends whole seconds: start on one. The range goes on 7 s past the
   * recording: its last sampling times have no media, and say so. */
  gdouble grid0 = floor (fixture->recorded_from) - 1;
  g_autofree gchar *from_s = epoch (grid0);
  g_autofree gchar *past_end = epoch (fixture->recorded_to + 7);
  g_autofree gchar *images = NULL;
  g_assert_cmpint (aws (&images, NULL, "kinesis-video-archived-media", "get-images",
          "--stream-name", FA_SERVE_CAMERA, "--image-selector-type", "PRODUCER_TIMESTAMP",
          "--start-timestamp", from_s, "--end-timestamp", past_end, "--sampling-interval",
          "3000", "--format", "JPEG", "--width-pixels", "320", NULL), ==, 0);
  g_autoptr (JsonObject) image_list = parse_object (images);
  JsonArray *imgs = json_array_ref (json_object_get_array_member (image_list, "Images"));
  gdouble span = fixture->recorded_to - fixture->recorded_from;
  guint n_images = 0, n_missing = 0;
  /* One entry per 3 s step from the start: an image while there is media. */
  for (guint i = 0; i < json_array_get_length (imgs); i++) {
    JsonObject *img = json_array_get_object_element (imgs, i);
    gdouble t = timestamp_of (img, "TimeStamp");
    if (json_object_has_member (img, "Error")) {
      /* A sampling time after the last frame: no image, its own time. */
      g_test_message ("entry %u at %.3f: %s", i, t, json_object_get_string_member (img,
              "Error"));
      g_assert_cmpstr (json_object_get_string_member (img, "Error"), ==, "NO_MEDIA");
      g_assert_false (json_object_has_member (img, "ImageContent"));
      g_assert_cmpfloat (fabs (t - (grid0 + 3.0 * i)), <, 0.002);
      g_assert_cmpfloat (t + 3.0, >, fixture->recorded_to);
      n_missing++;
      continue;
    }
    g_assert_cmpuint (n_missing, ==, 0);   /* media only before the gap */
    n_images++;
    gsize size = 0;
    g_autofree guchar *jpeg = g_base64_decode (json_object_get_string_member (img,
            "ImageContent"), &size);
    g_assert_cmpuint (size, >, 1000);
    g_assert_cmpint (jpeg[0], ==, 0xFF);
    g_assert_cmpint (jpeg[1], ==, 0xD8);
    /* The first frame at or after each sampling time. */
    gdouble grid = i == 0 ? fixture->recorded_from : grid0 + 3.0 * i;
    g_test_message ("image %u at %.3f, sampling time %.3f", i, t, grid);
    g_assert_cmpfloat (t, >=, grid - 0.001);
    g_assert_cmpfloat (t, <, grid0 + 3.0 * (i + 1));
  }
  g_assert_cmpuint (n_images, >=, (guint) (span / 3));
  g_assert_cmpuint (n_images, <=, (guint) (span / 3) + 1);
  g_assert_cmpuint (n_missing, >=, 2);
  json_array_unref (imgs);

  /* get-media-for-fragment-list: the stored Matroska fragment as it is. */
  g_autofree gchar *mkv = g_build_filename (fixture->root, "media.mkv", NULL);
  g_assert_cmpint (aws (NULL, NULL, "kinesis-video-archived-media",
          "get-media-for-fragment-list", mkv, "--stream-name", FA_SERVE_CAMERA,
          "--fragments", "1", NULL), ==, 0);
  const gchar *probe_mkv[] = { "ffprobe", "-v", "error", "-show_entries",
    "format=format_name", "-of", "csv=p=0", mkv, NULL };
  g_autofree gchar *mkv_format = NULL;
  g_assert_cmpint (fa_test_run_argv (probe_mkv, &mkv_format, NULL), ==, 0);
  g_assert_nonnull (strstr (mkv_format, "matroska"));

  /* A stream name that is a path is refused before anything is opened. */
  g_autofree gchar *err5 = NULL;
  g_assert_cmpint (aws (NULL, &err5, "kinesis-video-archived-media", "list-fragments",
          "--stream-arn", "arn:facealert:kinesisvideo:local:000000000000:stream/../x/1",
          NULL), !=, 0);
  g_assert_nonnull (strstr (err5, "InvalidArgumentException"));
}

/* ---- boto3 ----------------------------------------------------------------- */

static void
test_boto3 (void)
{
  g_autofree gchar *script = g_build_filename (g_getenv ("FACEALERT_SOURCE_DIR"), "tests",
      "integration", "serve-boto3.py", NULL);
  g_autofree gchar *photo = fa_test_data_path ("people/John_Lennon/2.jpg");
  g_autofree gchar *other = fa_test_data_path ("people/Anthony_Hopkins/1.jpg");
  g_autofree gchar *from = epoch (fixture->recorded_from);
  g_autofree gchar *to = epoch (fixture->recorded_to);
  const gchar *argv[] = { "/usr/bin/python3", script, fixture->url, photo, other, from, to,
    FA_SERVE_CAMERA, NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  int status = fa_test_run_argv (argv, &out, &err);
  g_test_message ("boto3: %s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "boto3: all checks passed"));
}

/* ---- refusals ------------------------------------------------------------ */

static void
assert_refused (int status, const gchar *err, const gchar *code)
{
  g_assert_cmpint (status, !=, 0);
  if (strstr (err, code) == NULL)
    g_error ("expected %s, got: %s", code, err);
}

static void
test_refused_cli (void)
{
  /* A wrong secret, an unknown key: AWS's answers. */
  g_autofree gchar *wrong = g_build_filename (fixture->root, "wrong-credentials", NULL);
  g_autofree gchar *text = g_strdup_printf ("[default]\naws_access_key_id = %s\n"
      "aws_secret_access_key = %sX\n", fixture->access_key, fixture->secret_key);
  g_assert_true (g_file_set_contents (wrong, text, -1, NULL));
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", wrong, TRUE);
  g_autofree gchar *err1 = NULL, *err2 = NULL, *err3 = NULL, *err4 = NULL;
  int s1 = aws (NULL, &err1, "rekognition", "list-faces", "--collection-id", "home", NULL);
  int s2 = aws (NULL, &err2, "kinesis-video-archived-media", "list-fragments",
      "--stream-name", FA_SERVE_CAMERA, NULL);
  g_autofree gchar *other = g_strdup_printf ("[default]\naws_access_key_id = AKIDNOTOURS\n"
      "aws_secret_access_key = %s\n", fixture->secret_key);
  g_assert_true (g_file_set_contents (wrong, other, -1, NULL));
  int s3 = aws (NULL, &err3, "rekognition", "list-faces", "--collection-id", "home", NULL);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", fixture->credentials, TRUE);
  assert_refused (s1, err1, "InvalidSignatureException");
  assert_refused (s2, err2, "InvalidSignatureException");
  assert_refused (s3, err3, "UnrecognizedClientException");

  /* Unsigned. */
  int s4 = aws (NULL, &err4, "--no-sign-request", "rekognition", "list-collections", NULL);
  assert_refused (s4, err4, "MissingAuthenticationTokenException");
}

/* A request signed by our own signer at @offset_s from now. */
static FaServeReply *
signed_request (const gchar *target, const gchar *path, const gchar *service,
    const gchar *body, gint64 offset_s, const gchar *secret, const gchar *replay_target)
{
  g_autoptr (GUri) uri = g_uri_parse (fixture->url, G_URI_FLAGS_NONE, NULL);
  g_autofree gchar *host = g_strdup_printf ("%s:%d", g_uri_get_host (uri),
      g_uri_get_port (uri));
  g_autoptr (FaSigv4Request) request = fa_sigv4_request_new ("POST", path, NULL);
  fa_sigv4_request_add_header (request, "Host", host);
  if (target != NULL)
    fa_sigv4_request_add_header (request, "X-Amz-Target", target);
  fa_sigv4_request_set_body (request, body, strlen (body));
  g_autoptr (FaAwsCredentials) key = fa_aws_credentials_new (fixture->access_key,
      secret != NULL ? secret : fixture->secret_key, NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) when = g_date_time_add_seconds (now, offset_s);
  g_autofree gchar *authz = fa_sigv4_sign (request, key, "us-east-1", service, when);
  const gchar *headers[] = {
    "X-Amz-Date", fa_sigv4_request_get_header (request, "X-Amz-Date"),
    "Authorization", authz,
    "X-Amz-Target", replay_target != NULL ? replay_target : target, NULL, NULL
  };
  if (headers[5] == NULL)
    headers[4] = NULL;
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
  return fa_serve_http (fixture, "POST", path, headers,
      target != NULL ? "application/x-amz-json-1.1" : "application/json", bytes);
}

static void
assert_aws_error (FaServeReply *reply, guint status, const gchar *code)
{
  g_test_message ("%u %s", reply->status, reply->text);
  g_assert_cmpuint (reply->status, ==, status);
  g_autoptr (JsonObject) o = parse_object (reply->text);
  g_assert_cmpstr (json_object_get_string_member (o, "__type"), ==, code);
}

static void
test_refused_signatures (void)
{
  const gchar *body = "{\"CollectionId\":\"home\"}";
  /* Our signer, accepted when the clock agrees ... */
  g_autoptr (FaServeReply) ok = signed_request ("RekognitionService.ListFaces", "/",
      "rekognition", body, 0, NULL, NULL);
  g_assert_cmpuint (ok->status, ==, 200);
  g_autoptr (FaServeReply) late_ok = signed_request ("RekognitionService.ListFaces", "/",
      "rekognition", body, -14 * 60, NULL, NULL);
  g_assert_cmpuint (late_ok->status, ==, 200);
  /* ... refused 16 minutes off either way, with the wrong secret, or when the
   * signature of one operation is replayed on another. */
  g_autoptr (FaServeReply) stale = signed_request ("RekognitionService.ListFaces", "/",
      "rekognition", body, -16 * 60, NULL, NULL);
  assert_aws_error (stale, 403, "InvalidSignatureException");
  g_assert_nonnull (strstr (stale->text, "Signature expired"));
  g_autoptr (FaServeReply) future = signed_request ("RekognitionService.ListFaces", "/",
      "rekognition", body, 16 * 60, NULL, NULL);
  assert_aws_error (future, 403, "InvalidSignatureException");
  g_autoptr (FaServeReply) wrong = signed_request ("RekognitionService.ListFaces", "/",
      "rekognition", body, 0, "not-the-secret", NULL);
  assert_aws_error (wrong, 403, "InvalidSignatureException");
  g_autoptr (FaServeReply) replay = signed_request ("RekognitionService.ListFaces", "/",
      "rekognition", body, 0, NULL, "RekognitionService.DeleteCollection");
  assert_aws_error (replay, 403, "InvalidSignatureException");
  g_autoptr (FaServeReply) service = signed_request ("RekognitionService.ListFaces", "/",
      "kinesisvideo", body, 0, NULL, NULL);
  assert_aws_error (service, 403, "InvalidSignatureException");
  /* KVS: stale and unsigned too. */
  g_autoptr (FaServeReply) kvs_stale = signed_request (NULL, "/listFragments",
      "kinesisvideo", "{\"StreamName\":\"cam1\"}", -20 * 60, NULL, NULL);
  assert_aws_error (kvs_stale, 403, "InvalidSignatureException");
  g_autoptr (FaServeReply) kvs_ok = signed_request (NULL, "/listFragments",
      "kinesisvideo", "{\"StreamName\":\"cam1\"}", 0, NULL, NULL);
  g_assert_cmpuint (kvs_ok->status, ==, 200);
  /* The collection is still there: the replayed DeleteCollection did nothing. */
  g_autofree gchar *out = NULL;
  g_assert_cmpint (aws (&out, NULL, "rekognition", "list-collections", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"home\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!g_file_test (AWS, G_FILE_TEST_IS_EXECUTABLE)) {
    g_print ("1..0 # SKIP %s missing: apt-get install awscli\n", AWS);
    return 77;
  }
  fixture = fa_serve_fixture_new (TRUE);
  fa_serve_fixture_start (fixture);
  g_test_add_func ("/serve-api/rekognition-cli", test_rekognition_cli);
  g_test_add_func ("/serve-api/rejected-sighting", test_rejected_sighting);
  g_test_add_func ("/serve-api/kvs-cli", test_kvs_cli);
  g_test_add_func ("/serve-api/boto3", test_boto3);
  g_test_add_func ("/serve-api/refused-cli", test_refused_cli);
  g_test_add_func ("/serve-api/refused-signatures", test_refused_signatures);
  int status = g_test_run ();
  /* Nothing the server printed holds the secret. */
  for (guint i = 0; i < fixture->server->lines->len; i++)
    g_assert_null (strstr (g_ptr_array_index (fixture->server->lines, i),
            fixture->secret_key));
  g_assert_null (strstr (fixture->server->err->str, fixture->secret_key));
  fa_serve_fixture_free (fixture);
  return status;
}
