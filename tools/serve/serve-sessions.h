/* facealert serve: the page's login sessions and the login rate limit.
 *
 * A session is a random 256-bit id (the HttpOnly cookie) with its own random
 * CSRF token, which every change the page asks for must carry in the
 * X-CSRF-Token header. Sessions live in memory only: a restart logs everyone
 * out. They end after FA_SERVE_SESSION_IDLE_US without use and
 * FA_SERVE_SESSION_MAX_US after login, or at logout.
 *
 * The login limit is per peer address: FA_SERVE_LOGIN_FREE_FAILURES wrong
 * passwords are free, then each further attempt must wait after the last
 * failure, twice as long each time (5 s, 10 s, 20 s, ... at most
 * FA_SERVE_LOGIN_MAX_WAIT_US), and one attempt at a time is checked per
 * address. The household account (one password) has the same limit over
 * all addresses together, with FA_SERVE_LOGIN_ACCOUNT_FREE_FAILURES free,
 * so an attacker with many addresses gets no faster; once past its free
 * failures, one attempt at a time is checked for the account. Attempts
 * being checked count against the free failures, so concurrency never
 * gets past them. Refused attempts are not failures: a wait never extends
 * past FA_SERVE_LOGIN_MAX_WAIT_US after the last wrong password checked.
 * A success clears both counts.
 *
 * Thread-safe. Times are monotonic microseconds, passed in (0: now) so tests
 * can drive the clock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FA_SERVE_SESSION_IDLE_US (12 * G_TIME_SPAN_HOUR)
#define FA_SERVE_SESSION_MAX_US (7 * G_TIME_SPAN_DAY)
#define FA_SERVE_LOGIN_FREE_FAILURES 5
#define FA_SERVE_LOGIN_ACCOUNT_FREE_FAILURES 10
#define FA_SERVE_LOGIN_FIRST_WAIT_US (5 * G_USEC_PER_SEC)
#define FA_SERVE_LOGIN_MAX_WAIT_US (15 * G_TIME_SPAN_MINUTE)
#define FA_SERVE_SESSION_COOKIE "fa_session"

typedef struct _FaServeSessions FaServeSessions;

FaServeSessions *fa_serve_sessions_new (void);
void fa_serve_sessions_free (FaServeSessions *sessions);

/* A new session; returns its id, and its CSRF token in *@csrf. */
gchar *fa_serve_sessions_create (FaServeSessions *sessions, gint64 now_us,
    gchar **csrf);
/* TRUE when @id is a live session (and marks it used); its CSRF token in
 * *@csrf (optional). */
gboolean fa_serve_sessions_check (FaServeSessions *sessions, const gchar *id,
    gint64 now_us, gchar **csrf);
void fa_serve_sessions_remove (FaServeSessions *sessions, const gchar *id);
guint fa_serve_sessions_count (FaServeSessions *sessions);

/* Constant-time comparison of two tokens (FALSE when either is NULL). */
gboolean fa_serve_token_equal (const gchar *a, const gchar *b);

/* May @remote try a password now? 0: yes (and the attempt is in progress
 * until fa_serve_login_finish()); otherwise how long to wait, the longer of
 * the address's and the account's (-1: another attempt, from @remote or
 * for the account, is being checked). */
gint64 fa_serve_login_begin (FaServeSessions *sessions, const gchar *remote,
    gint64 now_us);
void fa_serve_login_finish (FaServeSessions *sessions, const gchar *remote,
    gboolean success, gint64 now_us);

/* @bytes random bytes as URL-safe base64 without padding. */
gchar *fa_serve_random_token (gsize bytes);

G_END_DECLS
