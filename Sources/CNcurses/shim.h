#ifndef LOGTOP_CNCURSES_SHIM_H
#define LOGTOP_CNCURSES_SHIM_H
// SwiftPM drops pkg-config's -D_XOPEN_SOURCE=600: ask for the wide-character API explicitly.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <ncursesw/curses.h>

// ncurses keeps its state in C globals and exposes much of its API as macros: Swift 6 rejects the
// globals as not concurrency-safe and cannot import function-like macros. These accessors are the
// only way LogtopTUI reaches them (and it calls them from one thread only).

static inline WINDOW *logtop_stdscr(void) { return stdscr; }
static inline int logtop_lines(void) { return LINES; }
static inline int logtop_cols(void) { return COLS; }
static inline int logtop_colors(void) { return COLORS; }
static inline int logtop_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t logtop_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }
static inline attr_t logtop_a_normal(void) { return A_NORMAL; }
static inline attr_t logtop_a_bold(void) { return A_BOLD; }
static inline attr_t logtop_a_dim(void) { return A_DIM; }
static inline attr_t logtop_a_reverse(void) { return A_REVERSE; }
static inline attr_t logtop_a_underline(void) { return A_UNDERLINE; }
static inline int logtop_key_resize(void) { return KEY_RESIZE; }
static inline int logtop_key_f(int n) { return KEY_F(n); }

/// True when the terminal can move the cursor anywhere (TERM=dumb cannot).
static inline int logtop_can_address_cursor(void) {
    char *s = tigetstr("cup");
    return s != NULL && s != (char *)-1;
}
/// Makes the next refresh repaint the whole screen (Ctrl-L).
static inline void logtop_clear_on_next_refresh(void) { clearok(curscr, TRUE); }

/// The codeset of the current locale (after `setlocale(LC_ALL, "")`), e.g. "UTF-8" or "ANSI_X3.4-1968".
static inline const char *logtop_codeset(void) { return nl_langinfo(CODESET); }

// MARK: - Terminal restore on a crash
//
// `endwin()` restores the terminal on every orderly exit. A crash (a Swift trap is SIGILL or SIGTRAP,
// a bad pointer SIGSEGV) or a stray `exit()` from another layer would leave the terminal in raw mode on
// the alternate screen. The guard saves the terminal modes and the escape sequences that leave curses
// mode before curses starts; a fatal signal or `exit()` then restores both with async-signal-safe calls
// only (tcsetattr, write), puts back the previous handler (e.g. Swift's backtracer) and re-raises.

struct logtop_guard_state {
    int in_fd;
    int out_fd;
    struct termios termios;
    int have_termios;
    char reset[256];
    size_t reset_len;
    volatile sig_atomic_t armed;
    int registered;
    struct sigaction previous[32];
};

// Function-local static: Swift's importer emits it with the function (a file-scope static in a header
// would not be emitted).
static inline struct logtop_guard_state *logtop_guard(void) {
    static struct logtop_guard_state state;
    return &state;
}

static inline int logtop_guard_signal(size_t i) {
    switch (i) {
    case 0: return SIGSEGV;
    case 1: return SIGBUS;
    case 2: return SIGILL;
    case 3: return SIGFPE;
    case 4: return SIGABRT;
    case 5: return SIGTRAP;
    default: return 0;
    }
}

static inline void logtop_guard_append(const char *cap) {
    struct logtop_guard_state *g = logtop_guard();
    char *s = tigetstr(cap);
    if (s == NULL || s == (char *)-1) return;
    size_t n = strlen(s);
    if (g->reset_len + n >= sizeof g->reset) return;
    memcpy(g->reset + g->reset_len, s, n);
    g->reset_len += n;
}

/// Restores the saved terminal if curses is still active. Async-signal-safe; idempotent.
static inline void logtop_guard_restore(void) {
    struct logtop_guard_state *g = logtop_guard();
    if (!g->armed) return;
    g->armed = 0;
    if (g->reset_len > 0) {
        ssize_t unused = write(g->out_fd, g->reset, g->reset_len);
        (void)unused;
    }
    if (g->have_termios) tcsetattr(g->in_fd, TCSANOW, &g->termios);
}

static inline void logtop_guard_handler(int sig) {
    logtop_guard_restore();
    if (sig > 0 && sig < 32) sigaction(sig, &logtop_guard()->previous[sig], NULL);
    raise(sig);  // blocked while we run: delivered to the previous handler when we return
}

static inline void logtop_guard_atexit(void) { logtop_guard_restore(); }

/// Saves the terminal modes of `in_fd`, then `newterm` on the process's terminal: stdin/stdout, or
/// /dev/tty when `dev_tty` (stdin carries log lines, or stdout is redirected). NULL when TERM is
/// unusable or /dev/tty cannot be opened. (stdin/stdout are C globals: Swift 6 cannot name them.)
static inline SCREEN *logtop_newterm(int dev_tty) {
    struct logtop_guard_state *g = logtop_guard();
    FILE *in = stdin, *out = stdout;
    if (dev_tty) {
        FILE *tty = fopen("/dev/tty", "r+");
        if (tty == NULL) return NULL;
        in = out = tty;
    }
    g->in_fd = fileno(in);
    g->out_fd = fileno(out);
    g->have_termios = tcgetattr(g->in_fd, &g->termios) == 0;
    return newterm(NULL, out, in);
}

/// Call after `initscr`: records the capabilities that leave curses mode and installs the handlers.
static inline void logtop_guard_arm(void) {
    struct logtop_guard_state *g = logtop_guard();
    g->reset_len = 0;
    logtop_guard_append("sgr0");
    logtop_guard_append("cnorm");
    logtop_guard_append("rmkx");
    logtop_guard_append("rmcup");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = logtop_guard_handler;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; logtop_guard_signal(i) != 0; i++) {
        int sig = logtop_guard_signal(i);
        sigaction(sig, &sa, &g->previous[sig]);
    }
    if (!g->registered) { atexit(logtop_guard_atexit); g->registered = 1; }
    g->armed = 1;
}

/// Call right after `endwin`: the terminal is restored, the handlers go back to what they were.
static inline void logtop_guard_disarm(void) {
    struct logtop_guard_state *g = logtop_guard();
    if (!g->armed) return;
    g->armed = 0;
    for (size_t i = 0; logtop_guard_signal(i) != 0; i++) {
        int sig = logtop_guard_signal(i);
        sigaction(sig, &g->previous[sig], NULL);
    }
}

#endif
