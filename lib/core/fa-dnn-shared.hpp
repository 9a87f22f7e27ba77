/* facealert: one copy of each DNN network per process.
 *
 * Every camera of a facealert-run process runs the same models. Loading one
 * cv::dnn::Net per element costs its weights and its layer buffers once per
 * camera; sharing one per (model, settings) costs them once. A cv::dnn::Net
 * is not safe to run from two threads at once, so each shared object comes
 * with the mutex its users hold around setInput/forward. Entries are
 * refcounted (std::shared_ptr) and freed with their last user. Internal C++:
 * only shim .cpp files include this. */
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace fa {

template <typename T>
struct Shared {
  T object;
  std::mutex mutex;   /* held around every use of object */
};

/* Type-erased registry behind shared_object(). */
std::shared_ptr<void> shared_lookup (const std::string &key,
    const std::function<std::shared_ptr<void> ()> &make);

/* The process's object for @key (which must name the type, the model file
 * and every setting that changes the object), made by @make when no one holds
 * it. @make may throw; nothing is cached then. */
template <typename T>
std::shared_ptr<Shared<T>>
shared_object (const std::string &key, const std::function<T ()> &make)
{
  return std::static_pointer_cast<Shared<T>> (shared_lookup (key, [&make] () {
    auto s = std::make_shared<Shared<T>> ();
    s->object = make ();
    return std::static_pointer_cast<void> (s);
  }));
}

}  // namespace fa
