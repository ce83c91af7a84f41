/* chardev-backends.c: host ends of character devices — stdio, file, pipe (FIFOs), null, pty,
 * TCP (client or server) — spelled as QEMU's -serial/-chardev back ends. */
#include "util/osdep.h"
#include "util/log.h"
#include "util/error.h"
#include "hw/core/chardev.h"
#include "system/main-loop.h"
#include "system/chardev-backends.h"
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

typedef struct FdChardev {
    Chardev chr;
    int in_fd, out_fd;
    int listen_fd;               /* TCP server waiting for a client, or -1 */
    bool is_stdio;
    bool escape;                 /* Ctrl-A seen on stdio */
    uint8_t pending[256];        /* input the front end could not take yet */
    size_t npending, pending_off;
} FdChardev;

static struct termios saved_tty;
static bool tty_saved;

static void restore_tty(void)
{
    if (tty_saved)
        tcsetattr(0, TCSANOW, &saved_tty);
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0 && fd >= 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                /* A slow consumer: wait for it rather than drop guest output. */
                fd_set w;
                FD_ZERO(&w);
                FD_SET(fd, &w);
                select(fd + 1, NULL, &w, NULL, NULL);
                continue;
            }
            return;              /* the sink is gone (closed pipe, socket) */
        }
        buf += n;
        len -= n;
    }
}

static void fd_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    FdChardev *c = (FdChardev *)chr;
    write_all(c->out_fd, buf, len);
}

static void fd_read_ready(void *opaque);

static void flush_pending(FdChardev *c)
{
    while (c->pending_off < c->npending) {
        size_t n = chardev_deliver(&c->chr, c->pending + c->pending_off, c->npending - c->pending_off);
        if (!n)
            return;
        c->pending_off += n;
    }
    c->npending = c->pending_off = 0;
    if (c->in_fd >= 0)
        main_loop_set_fd_handler(c->in_fd, fd_read_ready, NULL, c);
}

static void fd_accept_input(Chardev *chr)
{
    flush_pending((FdChardev *)chr);
}

/* Ctrl-A x quits, Ctrl-A Ctrl-A sends a Ctrl-A (QEMU's -nographic escapes). */
static size_t stdio_filter(FdChardev *c, uint8_t *buf, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = buf[i];
        if (c->escape) {
            c->escape = false;
            if (ch == 'x' || ch == 'X') {
                restore_tty();
                fprintf(stderr, "\r\nvireo: terminated by Ctrl-A x\r\n");
                main_loop_request_shutdown(0);
                continue;
            }
            if (ch == 'h' || ch == 'H') {
                fprintf(stderr, "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\nC-a C-a  sends C-a\r\n");
                continue;
            }
            if (ch != 1)
                continue;
        } else if (ch == 1) {
            c->escape = true;
            continue;
        }
        buf[w++] = ch;
    }
    return w;
}

static void fd_read_ready(void *opaque)
{
    FdChardev *c = opaque;
    if (c->npending) {
        /* The front end is full: stop polling until it asks for more. */
        main_loop_remove_fd(c->in_fd);
        return;
    }
    ssize_t n = read(c->in_fd, c->pending, sizeof c->pending);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        main_loop_remove_fd(c->in_fd);
        if (c->listen_fd >= 0 || c->in_fd == c->out_fd) {
            /* A TCP client went away: close, and take the next one if we are a server. */
            close(c->in_fd);
            c->in_fd = c->out_fd = -1;
            if (c->listen_fd >= 0)
                main_loop_set_fd_handler(c->listen_fd, fd_read_ready, NULL, c);
        } else {
            c->in_fd = -1;       /* EOF on stdin: input ends, output goes on */
        }
        return;
    }
    if (c->is_stdio)
        n = stdio_filter(c, c->pending, n);
    c->npending = n;
    c->pending_off = 0;
    flush_pending(c);
}

static void tcp_accept_ready(void *opaque)
{
    FdChardev *c = opaque;
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    if (c->in_fd >= 0) {
        close(fd);               /* one client at a time */
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->in_fd = c->out_fd = fd;
    main_loop_remove_fd(c->listen_fd);
    main_loop_set_fd_handler(fd, fd_read_ready, NULL, c);
}

static void fd_close(Chardev *chr)
{
    FdChardev *c = (FdChardev *)chr;
    if (c->is_stdio)
        restore_tty();
}

static const ChardevOps fd_ops = { .write = fd_write, .accept_input = fd_accept_input, .close = fd_close };

static FdChardev *fd_chardev_new(const char *id, int in_fd, int out_fd)
{
    FdChardev *c = xzalloc(sizeof(*c));
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->listen_fd = -1;
    chardev_add(&c->chr, id, &fd_ops);
    if (in_fd >= 0)
        main_loop_set_fd_handler(in_fd, fd_read_ready, NULL, c);
    return c;
}

static bool tcp_open(const char *id, const char *spec, Error **errp)
{
    /* tcp:[host]:port[,server[=on]][,wait=off|,nowait] */
    char *s = xstrdup(spec);
    bool server = false, wait = true;
    char *opts = strchr(s, ',');
    if (opts)
        *opts++ = 0;
    while (opts && *opts) {
        char *next = strchr(opts, ',');
        if (next)
            *next++ = 0;
        if (!strcmp(opts, "server") || !strcmp(opts, "server=on"))
            server = true;
        else if (!strcmp(opts, "nowait") || !strcmp(opts, "wait=off"))
            wait = false;
        else if (!strcmp(opts, "wait=on") || !strcmp(opts, "server=off"))
            ;
        else if (strcmp(opts, "nodelay")) {
            error_setg(errp, "tcp:%s: unknown option '%s'", spec, opts);
            free(s);
            return false;
        }
        opts = next;
    }
    char *colon = strrchr(s, ':');
    if (!colon) {
        error_setg(errp, "tcp:%s: expected host:port", spec);
        free(s);
        return false;
    }
    *colon = 0;
    const char *host = *s ? s : (server ? NULL : "localhost");
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = server ? AI_PASSIVE : 0 }, *ai;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc) {
        error_setg(errp, "tcp:%s: %s", spec, gai_strerror(rc));
        free(s);
        return false;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    bool ok = fd >= 0;
    if (ok && server) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        ok = bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0;
    } else if (ok) {
        ok = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    }
    freeaddrinfo(ai);
    if (!ok) {
        error_setg(errp, "tcp:%s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(s);
        return false;
    }
    free(s);
    if (!server) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fd_chardev_new(id, fd, fd);
        return true;
    }
    FdChardev *c = fd_chardev_new(id, -1, -1);
    c->listen_fd = fd;
    if (wait) {
        info_report("waiting for a connection on tcp:%s (%s)", spec, id);
        tcp_accept_ready(c);     /* blocks in accept() */
    } else {
        main_loop_set_fd_handler(fd, tcp_accept_ready, NULL, c);
    }
    return true;
}

/* pipe:PATH as in QEMU: input from PATH.in and output to PATH.out when both exist, else PATH
 * both ways; usually FIFOs (mkfifo). A FIFO is opened read-write, so opening neither waits
 * for the other end nor sees end-of-file when a writer goes away. */
static bool pipe_open(const char *id, const char *path, Error **errp)
{
    char *in = xasprintf("%s.in", path), *out = xasprintf("%s.out", path);
    bool split = access(in, F_OK) == 0 && access(out, F_OK) == 0;
    int in_fd = open(split ? in : path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    int out_fd = in_fd < 0 || !split ? in_fd : open(out, O_RDWR | O_CLOEXEC);
    if (in_fd < 0 || out_fd < 0) {
        error_setg(errp, "pipe:%s: %s: %s", path, in_fd < 0 ? (split ? in : path) : out,
                   strerror(errno));
        if (in_fd >= 0)
            close(in_fd);
        free(in);
        free(out);
        return false;
    }
    free(in);
    free(out);
    fd_chardev_new(id, in_fd, out_fd);
    return true;
}

bool chardev_open_backend(const char *id, const char *spec, Error **errp)
{
    if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio")) {
        FdChardev *c = fd_chardev_new(id, 0, 1);
        c->is_stdio = true;
        if (isatty(0) && !tty_saved && tcgetattr(0, &saved_tty) == 0) {
            struct termios raw = saved_tty;
            /* Raw input so the guest sees every key; output processing kept for \n. */
            raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
            raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
            raw.c_cc[VMIN] = 1;
            raw.c_cc[VTIME] = 0;
            tcsetattr(0, TCSANOW, &raw);
            tty_saved = true;
            atexit(restore_tty);
        }
        return true;
    }
    if (!strcmp(spec, "null")) {
        fd_chardev_new(id, -1, -1);
        return true;
    }
    if (!strcmp(spec, "none"))
        return true;
    if (!strncmp(spec, "file:", 5)) {
        int fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            error_setg(errp, "%s: %s", spec + 5, strerror(errno));
            return false;
        }
        fd_chardev_new(id, -1, fd);
        return true;
    }
    if (!strncmp(spec, "pipe:", 5))
        return pipe_open(id, spec + 5, errp);
    if (!strcmp(spec, "pty")) {
        int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || grantpt(fd) || unlockpt(fd)) {
            error_setg(errp, "pty: %s", strerror(errno));
            return false;
        }
        struct termios t;
        if (tcgetattr(fd, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(fd, TCSANOW, &t);
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        info_report("char device redirected to %s (label %s)", ptsname(fd), id);
        fd_chardev_new(id, fd, fd);
        return true;
    }
    if (!strncmp(spec, "tcp:", 4))
        return tcp_open(id, spec + 4, errp);
    error_setg(errp, "unknown character device back end '%s' (stdio, file:PATH, pipe:PATH, pty, null, none, tcp:HOST:PORT[,server,nowait])", spec);
    return false;
}
