#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Daemon settings for CMicroHTTPD_start_daemon, each passed as is to the libmicrohttpd option of the
/// same name, so a zero has that option's meaning of zero (for example no timeout, or no per-IP limit).
typedef struct CMicroHTTPD_daemon_options {
    unsigned int thread_pool_size;
    unsigned int connection_limit;
    unsigned int per_ip_connection_limit;
    unsigned int connection_timeout_seconds;
    size_t connection_memory_limit;
    unsigned int listen_backlog;
} CMicroHTTPD_daemon_options;

/// A formatted libmicrohttpd diagnostic, passed to Swift without a va_list.
typedef void (*CMicroHTTPD_log_function)(void *context, const char *message);

/// The Swift receiver of libmicrohttpd diagnostics; it must outlive the daemon.
typedef struct CMicroHTTPD_log_sink {
    CMicroHTTPD_log_function function;
    void *context;
} CMicroHTTPD_log_sink;

/// Formats a diagnostic here because Swift cannot receive a va_list callback argument.
static void CMicroHTTPD_forward_log(void *cls, const char *format, va_list arguments) {
    CMicroHTTPD_log_sink *sink = (CMicroHTTPD_log_sink *)cls;
    char message[512];
    vsnprintf(message, sizeof message, format, arguments);
    size_t length = strlen(message);
    while (length > 0 && (message[length - 1] == '\n' || message[length - 1] == '\r')) {
        message[--length] = '\0';
    }
    sink->function(sink->context, message);
}

/// Wraps MHD_start_daemon, which is variadic and so cannot be called from Swift. Binds exactly
/// `address` (IPv4) with an epoll thread pool, and passes every limit in `options`.
static inline struct MHD_Daemon *CMicroHTTPD_start_daemon(
    const struct sockaddr_in *address, CMicroHTTPD_daemon_options options,
    MHD_AccessHandlerCallback handler, void *handler_context,
    MHD_RequestCompletedCallback completed, void *completed_context,
    void *(*uri_logger)(void *context, const char *uri, struct MHD_Connection *connection), void *uri_context,
    CMicroHTTPD_log_sink *log_sink) {
    unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    return MHD_start_daemon(
        flags, 0, NULL, NULL, handler, handler_context,
        /* The logger comes first: libmicrohttpd warns on stderr when it does not. */
        MHD_OPTION_EXTERNAL_LOGGER, CMicroHTTPD_forward_log, (void *)log_sink,
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)address,
        MHD_OPTION_THREAD_POOL_SIZE, options.thread_pool_size,
        MHD_OPTION_CONNECTION_LIMIT, options.connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, options.per_ip_connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, options.connection_timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, options.connection_memory_limit,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, options.listen_backlog,
        MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
        MHD_OPTION_URI_LOG_CALLBACK, uri_logger, uri_context,
        MHD_OPTION_END);
}

/// Wraps MHD_get_daemon_info, which is variadic; returns the bound port, or 0 when unknown.
static inline uint16_t CMicroHTTPD_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/// Wraps MHD_get_connection_info, which is variadic, and formats the peer address as text
/// (IPv4 or IPv6) into `buffer`. Returns 0 on success.
static inline int CMicroHTTPD_client_address(struct MHD_Connection *connection, char *buffer, size_t length) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return -1;
    const struct sockaddr *address = info->client_addr;
    const void *raw = NULL;
    if (address->sa_family == AF_INET) {
        raw = &((const struct sockaddr_in *)address)->sin_addr;
    } else if (address->sa_family == AF_INET6) {
        raw = &((const struct sockaddr_in6 *)address)->sin6_addr;
    } else {
        return -1;
    }
    return inet_ntop(address->sa_family, raw, buffer, (socklen_t)length) == NULL ? -1 : 0;
}
#endif
