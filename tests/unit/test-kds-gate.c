/* Which frames kdssink sends (lib/kinesis/fa-kds-gate): changes at once,
 * heartbeats every interval while faces stay, nothing for unchanged frames. */
#include "fa-kds-gate.h"

#define MS G_GINT64_CONSTANT (1000000)

static void
test_changes_and_heartbeat (void)
{
  g_autoptr (FaKdsGate) gate = fa_kds_gate_new (1000 * MS);
  FaKdsFace undecided = { 7, FALSE, FALSE, "" };
  FaKdsFace unknown = { 7, TRUE, FALSE, "" };
  FaKdsFace known = { 7, TRUE, TRUE, "Bob" };

  g_assert_cmpint (fa_kds_gate_check (gate, 0, &undecided, 1), ==, FA_KDS_GATE_CHANGED);
  /* Same face, same decision: nothing until the interval passed. */
  g_assert_cmpint (fa_kds_gate_check (gate, 33 * MS, &undecided, 1), ==, FA_KDS_GATE_SKIP);
  g_assert_cmpint (fa_kds_gate_check (gate, 999 * MS, &undecided, 1), ==, FA_KDS_GATE_SKIP);
  /* The decision is a change, sent at once. */
  g_assert_cmpint (fa_kds_gate_check (gate, 1001 * MS, &unknown, 1), ==, FA_KDS_GATE_CHANGED);
  g_assert_cmpint (fa_kds_gate_check (gate, 1500 * MS, &unknown, 1), ==, FA_KDS_GATE_SKIP);
  g_assert_cmpint (fa_kds_gate_check (gate, 2001 * MS, &unknown, 1), ==, FA_KDS_GATE_HEARTBEAT);
  g_assert_cmpint (fa_kds_gate_check (gate, 2100 * MS, &known, 1), ==, FA_KDS_GATE_CHANGED);
  /* A name that changes is a change too. */
  FaKdsFace other = { 7, TRUE, TRUE, "Julie" };
  g_assert_cmpint (fa_kds_gate_check (gate, 2200 * MS, &other, 1), ==, FA_KDS_GATE_CHANGED);
}

static void
test_faces_come_and_go (void)
{
  g_autoptr (FaKdsGate) gate = fa_kds_gate_new (1000 * MS);
  FaKdsFace two[] = { { 3, TRUE, TRUE, "Bob" }, { 4, FALSE, FALSE, NULL } };
  FaKdsFace swapped[] = { two[1], two[0] };

  g_assert_cmpint (fa_kds_gate_check (gate, 0, two, 1), ==, FA_KDS_GATE_CHANGED);
  /* A face comes: change. The order of the ROIs is not a change. */
  g_assert_cmpint (fa_kds_gate_check (gate, 10 * MS, two, 2), ==, FA_KDS_GATE_CHANGED);
  g_assert_cmpint (fa_kds_gate_check (gate, 20 * MS, swapped, 2), ==, FA_KDS_GATE_SKIP);
  /* A frame without faces is never sent; the face gone is a change. */
  g_assert_cmpint (fa_kds_gate_check (gate, 30 * MS, NULL, 0), ==, FA_KDS_GATE_SKIP);
  g_assert_cmpint (fa_kds_gate_check (gate, 40 * MS, &two[1], 1), ==, FA_KDS_GATE_CHANGED);
  /* "" and NULL are the same (no name). */
  FaKdsFace empty_name = { 4, FALSE, FALSE, "" };
  g_assert_cmpint (fa_kds_gate_check (gate, 50 * MS, &empty_name, 1), ==, FA_KDS_GATE_SKIP);
}

static void
test_interval_zero_and_clock (void)
{
  g_autoptr (FaKdsGate) gate = fa_kds_gate_new (0);
  FaKdsFace face = { 1, FALSE, FALSE, NULL };
  g_assert_cmpint (fa_kds_gate_check (gate, 5 * MS, &face, 1), ==, FA_KDS_GATE_CHANGED);
  g_assert_cmpint (fa_kds_gate_check (gate, 5 * MS, &face, 1), ==, FA_KDS_GATE_HEARTBEAT);

  g_autoptr (FaKdsGate) slow = fa_kds_gate_new (1000 * MS);
  g_assert_cmpint (fa_kds_gate_check (slow, 5000 * MS, &face, 1), ==, FA_KDS_GATE_CHANGED);
  /* Time going back (a new segment, a restarted source) sends at once. */
  g_assert_cmpint (fa_kds_gate_check (slow, 10 * MS, &face, 1), ==, FA_KDS_GATE_HEARTBEAT);
}

static void
test_forget_and_reset (void)
{
  g_autoptr (FaKdsGate) gate = fa_kds_gate_new (1000 * MS);
  FaKdsFace a = { 1, FALSE, FALSE, NULL }, b = { 1, TRUE, FALSE, NULL };
  g_assert_cmpint (fa_kds_gate_check (gate, 0, &a, 1), ==, FA_KDS_GATE_CHANGED);
  g_assert_cmpint (fa_kds_gate_check (gate, 10 * MS, &b, 1), ==, FA_KDS_GATE_CHANGED);
  /* That frame could not be sent: the next one with b is still news. */
  fa_kds_gate_forget (gate);
  g_assert_cmpint (fa_kds_gate_check (gate, 20 * MS, &b, 1), ==, FA_KDS_GATE_CHANGED);
  g_assert_cmpint (fa_kds_gate_check (gate, 30 * MS, &b, 1), ==, FA_KDS_GATE_SKIP);
  fa_kds_gate_reset (gate);
  g_assert_cmpint (fa_kds_gate_check (gate, 40 * MS, &b, 1), ==, FA_KDS_GATE_CHANGED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kds-gate/changes-and-heartbeat", test_changes_and_heartbeat);
  g_test_add_func ("/kds-gate/faces-come-and-go", test_faces_come_and_go);
  g_test_add_func ("/kds-gate/interval-zero-and-clock", test_interval_zero_and_clock);
  g_test_add_func ("/kds-gate/forget-and-reset", test_forget_and_reset);
  return g_test_run ();
}
