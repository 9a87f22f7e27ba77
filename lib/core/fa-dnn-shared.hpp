/* facealert: the DNN networks of a process, shared by its cameras.
 *
 * Every camera of a facealert-run process runs the same models. Loading one
 * cv::dnn::Net per element costs its weights and its layer buffers once per
 * camera. A cv::dnn::Net is not safe to run from two threads at once, and one
 * copy behind a mutex makes the cameras wait for each other: measured with
 * three cameras, 6.6 % of the frames dropped and alerts 1 s later while the
 * machine was three-quarters idle (tests/bench/bench-cameras.sh). So each
 * (model, settings) gets a small pool of copies: one made for the first user
 * (a bad file fails at start), another only when every copy is busy, up to
 * one per CPU core (FACEALERT_DNN_COPIES overrides): at most as many copies
 * as can run at once. Pools are refcounted (std::shared_ptr) and freed with
 * their last user. Internal C++: only shim .cpp files include this. */
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace fa {

/* How many copies a pool may hold (>= 1). */
std::size_t shared_max_copies ();

template <typename T>
class Shared {
 public:
  explicit Shared (std::function<T ()> make) : make_ (std::move (make))
  {
    all_.push_back (std::make_unique<T> (make_ ()));
    idle_.push_back (all_.back ().get ());
  }

  /* Runs @fn on a copy no other thread is using (waits for one, or makes one
   * when all are busy and the pool may grow). */
  template <typename F>
  auto use (F &&fn) -> decltype (fn (std::declval<T &> ()))
  {
    struct Lease {
      Shared *pool;
      T *copy;
      ~Lease () { pool->give_back (copy); }
    } lease { this, take () };
    return fn (*lease.copy);
  }

  std::size_t copies ()
  {
    std::lock_guard<std::mutex> lock (mutex_);
    return all_.size ();
  }

 private:
  T *take ()
  {
    std::unique_lock<std::mutex> lock (mutex_);
    if (idle_.empty () && !growing_ && can_grow_ && all_.size () < shared_max_copies ()) {
      /* Loaded outside the lock: the busy copies are given back meanwhile. */
      growing_ = true;
      lock.unlock ();
      std::unique_ptr<T> made;
      try {
        made = std::make_unique<T> (make_ ());
      } catch (...) {
        /* The file went away or broke since the start: keep what we have. */
      }
      lock.lock ();
      growing_ = false;
      can_grow_ = made != nullptr;
      if (made != nullptr) {
        all_.push_back (std::move (made));
        return all_.back ().get ();
      }
    }
    available_.wait (lock, [this] () { return !idle_.empty (); });
    T *copy = idle_.back ();
    idle_.pop_back ();
    return copy;
  }

  void give_back (T *copy)
  {
    {
      std::lock_guard<std::mutex> lock (mutex_);
      idle_.push_back (copy);
    }
    available_.notify_one ();
  }

  std::function<T ()> make_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<T>> all_;
  std::vector<T *> idle_;
  bool growing_ = false;
  bool can_grow_ = true;
};

/* Type-erased registry behind shared_object(). */
std::shared_ptr<void> shared_lookup (const std::string &key,
    const std::function<std::shared_ptr<void> ()> &make);

/* The process's pool for @key (which must name the type, the model file and
 * every setting that changes the object), made with one copy by @make when no
 * one holds it; @make is kept to make more copies, so it must own what it
 * captures. @make may throw at the first copy; nothing is cached then. */
template <typename T>
std::shared_ptr<Shared<T>>
shared_object (const std::string &key, std::function<T ()> make)
{
  return std::static_pointer_cast<Shared<T>> (shared_lookup (key, [&make] () {
    return std::static_pointer_cast<void> (std::make_shared<Shared<T>> (make));
  }));
}

}  // namespace fa
