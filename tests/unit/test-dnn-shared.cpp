/* Unit: the pool of network copies behind fa::shared_object()
 * (lib/core/fa-dnn-shared.hpp), with plain ints for networks. Run with
 * FACEALERT_DNN_COPIES=2, as on this project's 2-core machines. */
#include "fa-dnn-shared.hpp"

#include <glib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>

/* A watchdog for each wait: a broken pool fails the test, it never hangs. */
static const auto kWait = std::chrono::seconds (20);

/* Holds a copy until told to give it back; says which copy it got. */
struct Holder {
  std::promise<int *> got;
  std::promise<void> release;
  std::future<void> done;

  Holder (fa::Shared<int> &pool)
  {
    auto released = release.get_future ().share ();
    done = std::async (std::launch::async, [this, &pool, released] () {
      pool.use ([&] (int &copy) {
        got.set_value (&copy);
        released.wait ();
      });
    });
  }
};

static void
test_grows_when_busy (void)
{
  std::atomic<int> made {0};
  fa::Shared<int> pool ([&made] () { return ++made; });
  g_assert_cmpuint (pool.copies (), ==, 1);

  /* One user at a time: the same copy each time, no second one. */
  int *first = nullptr;
  pool.use ([&] (int &c) { first = &c; });
  pool.use ([&] (int &c) { g_assert_true (&c == first); });
  g_assert_cmpuint (pool.copies (), ==, 1);

  /* Two at once: a second copy, so neither waits for the other. */
  Holder a (pool);
  auto got_a = a.got.get_future ();
  g_assert_true (got_a.wait_for (kWait) == std::future_status::ready);
  Holder b (pool);
  auto got_b = b.got.get_future ();
  g_assert_true (got_b.wait_for (kWait) == std::future_status::ready);
  g_assert_true (got_a.get () != got_b.get ());
  g_assert_cmpint (made.load (), ==, 2);

  /* A third while both are busy: at the limit it waits for one of them. */
  Holder c (pool);
  auto got_c = c.got.get_future ();
  g_assert_true (got_c.wait_for (std::chrono::milliseconds (200))
      == std::future_status::timeout);
  a.release.set_value ();
  g_assert_true (got_c.wait_for (kWait) == std::future_status::ready);
  g_assert_cmpint (made.load (), ==, 2);
  b.release.set_value ();
  c.release.set_value ();
  g_assert_true (a.done.wait_for (kWait) == std::future_status::ready);
  g_assert_true (b.done.wait_for (kWait) == std::future_status::ready);
  g_assert_true (c.done.wait_for (kWait) == std::future_status::ready);
  g_assert_cmpuint (pool.copies (), ==, 2);
}

static void
test_failed_copy (void)
{
  /* The model file breaks after the start: the busy user waits for the copy
   * there is, and the pool stops trying. */
  std::atomic<int> calls {0};
  fa::Shared<int> pool ([&calls] () {
    if (++calls > 1)
      throw std::runtime_error ("gone");
    return 7;
  });
  Holder a (pool);
  auto got_a = a.got.get_future ();
  g_assert_true (got_a.wait_for (kWait) == std::future_status::ready);
  Holder b (pool);
  auto got_b = b.got.get_future ();
  g_assert_true (got_b.wait_for (std::chrono::milliseconds (200))
      == std::future_status::timeout);
  a.release.set_value ();
  g_assert_true (got_b.wait_for (kWait) == std::future_status::ready);
  g_assert_true (got_b.get () == got_a.get ());
  b.release.set_value ();
  g_assert_true (b.done.wait_for (kWait) == std::future_status::ready);
  g_assert_cmpint (calls.load (), ==, 2);
  g_assert_cmpuint (pool.copies (), ==, 1);
}

static void
test_first_copy_fails (void)
{
  /* A bad file at the start: shared_object() throws, nothing is cached. */
  bool threw = false;
  try {
    fa::shared_object<int> ("test:bad", [] () -> int { throw std::runtime_error ("bad"); });
  } catch (const std::runtime_error &) {
    threw = true;
  }
  g_assert_true (threw);
  auto ok = fa::shared_object<int> ("test:bad", [] () { return 1; });
  int seen = 0;
  ok->use ([&] (int &c) { seen = c; });
  g_assert_cmpint (seen, ==, 1);
}

int
main (int argc, char **argv)
{
  g_setenv ("FACEALERT_DNN_COPIES", "2", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dnn-shared/grows-when-busy", test_grows_when_busy);
  g_test_add_func ("/dnn-shared/failed-copy", test_failed_copy);
  g_test_add_func ("/dnn-shared/first-copy-fails", test_first_copy_fails);
  return g_test_run ();
}
