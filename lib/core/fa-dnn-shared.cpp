#include "fa-dnn-shared.h"
#include "fa-dnn-shared.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

namespace fa {

namespace {
std::mutex registry_mutex;
std::map<std::string, std::weak_ptr<void>> registry;
}  // namespace

std::shared_ptr<void>
shared_lookup (const std::string &key, const std::function<std::shared_ptr<void> ()> &make)
{
  /* Loading under the registry lock makes a second camera starting at the
   * same time wait for the first's load instead of loading a copy. */
  /* FACEALERT_DNN_SHARED=0: one copy per user, to measure what sharing
   * saves (tests/bench/bench-dnn-rss.sh). */
  static const bool share = [] () {
    const char *v = std::getenv ("FACEALERT_DNN_SHARED");
    return v == nullptr || std::strcmp (v, "0") != 0;
  } ();
  if (!share)
    return make ();
  std::lock_guard<std::mutex> lock (registry_mutex);
  auto it = registry.find (key);
  if (it != registry.end ()) {
    if (auto live = it->second.lock ())
      return live;
  }
  auto made = make ();
  registry[key] = made;
  return made;
}

std::size_t
shared_max_copies ()
{
  static const std::size_t max = [] () -> std::size_t {
    const char *v = std::getenv ("FACEALERT_DNN_COPIES");
    long n = v != nullptr ? std::strtol (v, nullptr, 10) : 0;
    if (n <= 0)
      n = (long) std::thread::hardware_concurrency ();
    return n > 0 ? (std::size_t) n : 1;
  } ();
  return max;
}

}  // namespace fa

extern "C" guint
fa_dnn_shared_count (void)
{
  std::lock_guard<std::mutex> lock (fa::registry_mutex);
  guint n = 0;
  for (auto it = fa::registry.begin (); it != fa::registry.end ();) {
    if (it->second.expired ()) {
      it = fa::registry.erase (it);
    } else {
      n++;
      ++it;
    }
  }
  return n;
}

extern "C" guint
fa_dnn_max_copies (void)
{
  return (guint) fa::shared_max_copies ();
}
