/* Benchmark driver: runs whichever `facedetect` the registry provides (ours or
 * gst-plugins-bad's) on the annotated detection set and the negatives,
 * letterboxed to WxH RGB frames (the only format upstream takes), and prints
 * one machine-readable line:
 *
 *   RESULT <label> <W>x<H> wall_ms=<per frame> cpu_ms=<per frame> tp= fp= fn=
 *
 * Faces are read from the `facedetect` element messages (the field names
 * both elements share), so this also checks that ours keeps upstream's shape.
 * Run by bench-facedetect.sh, once per implementation, each in its own
 * process and registry.
 *
 * With --video PATH the frames are instead the first --frames N (default 100)
 * of a real video scaled to WxH (no annotations: tp is the number of faces
 * found, fp and fn are 0). With --pre LAUNCH (e.g. "objectdetect") every
 * frame first goes once, untimed, through that element, so facedetect sees
 * its metas (person boxes): only facedetect's own cost is timed.
 *
 * usage: bench-facedetect LABEL WIDTH HEIGHT REPEATS [--video PATH [--frames N]]
 *            [--pre LAUNCH] [prop=value ...] */
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

struct Frame {
  std::string name;
  cv::Mat rgb;                      /* WxH, letterboxed */
  std::vector<cv::Rect2f> truth;    /* annotated boxes, mapped to the frame */
};

double
now_ms (clockid_t clock)
{
  struct timespec ts;
  clock_gettime (clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Minimal reader for dlib imglab XML: <image file='..'> <box top left width height/>. */
std::vector<std::pair<std::string, std::vector<cv::Rect2f>>>
read_annotations (const std::string &xml_path)
{
  gchar *xml = nullptr;
  if (!g_file_get_contents (xml_path.c_str (), &xml, nullptr, nullptr))
    g_error ("cannot read %s: run scripts/fetch-testdata.sh", xml_path.c_str ());
  std::vector<std::pair<std::string, std::vector<cv::Rect2f>>> out;
  auto attr = [] (const std::string &tag, const char *name) {
    std::string key = std::string (" ") + name + "='";
    size_t p = tag.find (key);
    if (p == std::string::npos)
      return std::string ();
    p += key.size ();
    return tag.substr (p, tag.find ('\'', p) - p);
  };
  std::string s (xml);
  g_free (xml);
  size_t pos = 0;
  while ((pos = s.find ('<', pos)) != std::string::npos) {
    size_t end = s.find ('>', pos);
    std::string tag = s.substr (pos, end - pos);
    if (tag.rfind ("<image ", 0) == 0)
      out.push_back ({attr (tag, "file"), {}});
    else if (tag.rfind ("<box ", 0) == 0 && !out.empty ())
      out.back ().second.push_back (cv::Rect2f (std::stof (attr (tag, "left")),
              std::stof (attr (tag, "top")), std::stof (attr (tag, "width")),
              std::stof (attr (tag, "height"))));
    pos = end;
  }
  return out;
}

Frame
letterbox (const std::string &path, const std::vector<cv::Rect2f> &truth, int w, int h)
{
  cv::Mat bgr = cv::imread (path, cv::IMREAD_COLOR);
  if (bgr.empty ())
    g_error ("cannot read %s: run scripts/fetch-testdata.sh", path.c_str ());
  double s = std::min ((double) w / bgr.cols, (double) h / bgr.rows);
  cv::Mat scaled;
  cv::resize (bgr, scaled, cv::Size (), s, s, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  int ox = (w - scaled.cols) / 2, oy = (h - scaled.rows) / 2;
  cv::Mat canvas (h, w, CV_8UC3, cv::Scalar::all (0));
  scaled.copyTo (canvas (cv::Rect (ox, oy, scaled.cols, scaled.rows)));
  Frame f;
  f.name = path.substr (path.rfind ('/') + 1);
  cv::cvtColor (canvas, f.rgb, cv::COLOR_BGR2RGB);
  for (const auto &r : truth)
    f.truth.push_back (cv::Rect2f (ox + r.x * s, oy + r.y * s, r.width * s, r.height * s));
  return f;
}

/* The first @n frames of @path, each scaled (not letterboxed) to WxH. */
std::vector<Frame>
video_frames (const std::string &path, int w, int h, int n)
{
  cv::VideoCapture cap (path);
  if (!cap.isOpened ())
    g_error ("cannot open %s: run scripts/fetch-testdata.sh", path.c_str ());
  std::vector<Frame> frames;
  cv::Mat bgr, scaled;
  while ((int) frames.size () < n && cap.read (bgr)) {
    cv::resize (bgr, scaled, cv::Size (w, h), 0, 0, cv::INTER_AREA);
    Frame f;
    f.name = path + "#" + std::to_string (frames.size ());
    cv::cvtColor (scaled, f.rgb, cv::COLOR_BGR2RGB);
    frames.push_back (f);
  }
  if (frames.empty ())
    g_error ("no frame decoded from %s", path.c_str ());
  return frames;
}

GstBuffer *
frame_buffer (const Frame &f, const GstVideoInfo *info)
{
  GstBuffer *buf = gst_buffer_new_allocate (nullptr, GST_VIDEO_INFO_SIZE (info), nullptr);
  GstVideoFrame vf;
  gst_video_frame_map (&vf, info, buf, GST_MAP_WRITE);
  for (int y = 0; y < f.rgb.rows; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&vf, 0) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0),
        f.rgb.ptr (y), (size_t) f.rgb.cols * 3);
  gst_video_frame_unmap (&vf);
  return buf;
}

std::vector<cv::Rect2f>
faces_from_message (GstMessage *msg)
{
  std::vector<cv::Rect2f> out;
  const GstStructure *s = gst_message_get_structure (msg);
  const GValue *list = gst_structure_get_value (s, "faces");
  if (list == nullptr || !GST_VALUE_HOLDS_LIST (list))
    g_error ("facedetect message without a faces list: %s", gst_structure_to_string (s));
  for (guint i = 0; i < gst_value_list_get_size (list); i++) {
    const GstStructure *f = gst_value_get_structure (gst_value_list_get_value (list, i));
    guint x, y, w, h;
    if (!gst_structure_get (f, "x", G_TYPE_UINT, &x, "y", G_TYPE_UINT, &y, "width", G_TYPE_UINT,
            &w, "height", G_TYPE_UINT, &h, NULL))
      g_error ("face structure without guint x/y/width/height");
    out.push_back (cv::Rect2f ((float) x, (float) y, (float) w, (float) h));
  }
  return out;
}

float
iou (const cv::Rect2f &a, const cv::Rect2f &b)
{
  float inter = (a & b).area ();
  return inter <= 0 ? 0.f : inter / (a.area () + b.area () - inter);
}

}  // namespace

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  if (argc < 5) {
    fprintf (stderr, "usage: %s LABEL WIDTH HEIGHT REPEATS [--video PATH [--frames N]] "
        "[--pre LAUNCH] [prop=value ...]\n", argv[0]);
    return 2;
  }
  const char *label = argv[1];
  const int w = atoi (argv[2]), h = atoi (argv[3]), repeats = atoi (argv[4]);
  const char *data = g_getenv ("FACEALERT_TESTDATA");
  if (data == nullptr)
    g_error ("FACEALERT_TESTDATA is not set");
  const std::string dir = std::string (data) + "/detection/dlib_faces/";

  std::string video, pre;
  int n_video = 100;
  std::string launch = "facedetect";
  for (int i = 5; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--video" && i + 1 < argc)
      video = argv[++i];
    else if (a == "--frames" && i + 1 < argc)
      n_video = atoi (argv[++i]);
    else if (a == "--pre" && i + 1 < argc)
      pre = argv[++i];
    else   /* properties on the launch line: some are read only at start */
      launch += " " + a;
  }

  std::vector<Frame> frames;
  if (!video.empty ()) {
    frames = video_frames (video, w, h, n_video);
  } else {
    for (const auto &img : read_annotations (dir + "training.xml"))
      frames.push_back (letterbox (dir + img.first, img.second, w, h));
    for (const char *neg : {"skimage_chelsea.png", "darknet_dog.jpg", "skimage_coffee.png"})
      frames.push_back (letterbox (std::string (data) + "/negatives/" + neg, {}, w, h));
  }
  if (gst_element_factory_find ("facedetect") == nullptr)
    g_error ("no facedetect element in this registry");
  GstHarness *harness = gst_harness_new_parse (launch.c_str ());
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (harness->element, bus);
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, w, h);
  GST_VIDEO_INFO_FPS_N (&info) = 15;
  gst_harness_set_src_caps (harness, gst_video_info_to_caps (&info));

  std::vector<GstBuffer *> buffers;
  for (const auto &f : frames)
    buffers.push_back (frame_buffer (f, &info));
  if (!pre.empty ()) {
    /* Untimed: only facedetect's own cost is measured. */
    GstHarness *p = gst_harness_new_parse (pre.c_str ());
    gst_harness_set_src_caps (p, gst_video_info_to_caps (&info));
    for (size_t i = 0; i < buffers.size (); i++) {
      GST_BUFFER_PTS (buffers[i]) = i * GST_SECOND / 15;
      buffers[i] = gst_harness_push_and_pull (p, buffers[i]);
    }
    gst_harness_teardown (p);
  }

  /* One warm-up pass (first inference allocates), then the timed passes. */
  unsigned tp = 0, fp = 0, fn = 0;
  std::vector<double> walls, cpus;
  for (int rep = 0; rep <= repeats; rep++) {
    for (size_t i = 0; i < frames.size (); i++) {
      GstBuffer *in = gst_buffer_copy (buffers[i]);
      GST_BUFFER_PTS (in) = (rep * frames.size () + i) * GST_SECOND / 15;
      double w0 = now_ms (CLOCK_MONOTONIC), c0 = now_ms (CLOCK_PROCESS_CPUTIME_ID);
      GstFlowReturn ret = gst_harness_push (harness, in);
      double w1 = now_ms (CLOCK_MONOTONIC), c1 = now_ms (CLOCK_PROCESS_CPUTIME_ID);
      if (ret != GST_FLOW_OK)
        g_error ("push failed: %s", gst_flow_get_name (ret));
      gst_buffer_unref (gst_harness_pull (harness));
      if (rep > 0) {
        walls.push_back (w1 - w0);
        cpus.push_back (c1 - c0);
      }
      GstMessage *msg;
      std::vector<cv::Rect2f> found;
      bool got = false;
      while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != nullptr) {
        if (gst_message_has_name (msg, "facedetect")) {
          found = faces_from_message (msg);
          got = true;
        }
        gst_message_unref (msg);
      }
      if (!got)
        g_error ("no facedetect message for frame %zu", i);
      if (rep != 1)
        continue;
      if (!video.empty ()) {   /* no annotations: count what was found */
        tp += (unsigned) found.size ();
        continue;
      }
      /* Greedy matching at IoU >= 0.3 (the annotations are tight boxes;
       * detectors draw theirs a little larger or smaller). */
      std::vector<bool> used (found.size (), false);
      for (const auto &t : frames[i].truth) {
        int best = -1;
        float best_iou = 0.3f;
        for (size_t k = 0; k < found.size (); k++)
          if (!used[k] && iou (t, found[k]) >= best_iou) {
            best_iou = iou (t, found[k]);
            best = (int) k;
          }
        if (best >= 0) {
          used[best] = true;
          tp++;
        } else {
          fn++;
        }
      }
      fp += (unsigned) std::count (used.begin (), used.end (), false);
    }
  }
  /* Mean over the frames of a pass, best pass: the other jobs sharing the
   * machine only ever add time, so the fastest pass is the closest to the
   * true cost (same statistic for every implementation). */
  auto best_pass = [&] (const std::vector<double> &v) {
    std::vector<double> passes;
    for (size_t i = 0; i + frames.size () <= v.size (); i += frames.size ()) {
      double sum = 0;
      for (size_t k = 0; k < frames.size (); k++)
        sum += v[i + k];
      passes.push_back (sum / frames.size ());
    }
    return *std::min_element (passes.begin (), passes.end ());
  };
  printf ("RESULT %s %dx%d wall_ms=%.2f cpu_ms=%.2f tp=%u fp=%u fn=%u\n", label, w, h,
      best_pass (walls), best_pass (cpus), tp, fp, fn);

  for (GstBuffer *b : buffers)
    gst_buffer_unref (b);
  gst_element_set_bus (harness->element, nullptr);
  gst_object_unref (bus);
  gst_harness_teardown (harness);
  return 0;
}
