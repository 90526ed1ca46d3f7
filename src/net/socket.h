// TCP socket helpers for the fault proxy: parsing and resolving "host:port", non-blocking
// listeners and dials, and the socket options the relay needs (no Nagle, reset on close).
// Free functions over descriptors the caller owns; any thread.
#pragma once

#include <netinet/in.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "base/unique_fd.h"

namespace faultline::net {

// Splits "host:port" at the last colon. An empty host means 127.0.0.1. Returns an error naming the
// text when there is no colon or the port is not a number in 0..65535.
Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view text);
// Resolves "host:port" to an IPv4 address (an IPv4 literal or a name, through getaddrinfo, which
// may block). Returns an error naming the text when it does not resolve.
Result<sockaddr_in> ResolveAddress(std::string_view text);
// "a.b.c.d:port".
std::string FormatAddress(const sockaddr_in& addr);
// 127.0.0.1:port.
sockaddr_in LoopbackAddress(uint16_t port);

// A non-blocking, close-on-exec listener bound to `addr` with SO_REUSEADDR. Returns an error
// naming the address on failure (for example "address in use").
Result<UniqueFd> ListenTcp(const sockaddr_in& addr);
// The local address of a bound socket.
Result<sockaddr_in> LocalAddress(int fd);
// Starts a non-blocking connect to `addr`. On success the descriptor is connecting or connected:
// wait for it to become writable and read SO_ERROR. Returns an error if the socket cannot be made.
// With `mark` non-zero the socket carries it (SO_MARK, needs CAP_NET_ADMIN), so that packet rules
// can tell its traffic apart.
Result<UniqueFd> DialTcp(const sockaddr_in& addr, uint32_t mark = 0);
// The address a connection redirected by the firewall (nft redirect) was dialed to
// (SO_ORIGINAL_DST). Error when the connection was not redirected.
Result<sockaddr_in> OriginalDestination(int fd);
// The peer's address of a connected socket.
Result<sockaddr_in> PeerAddress(int fd);
// Turns Nagle's algorithm off, so small writes leave at once (the latency of ping-pong).
void SetNoDelay(int fd);
// Makes close() send RST instead of FIN (SO_LINGER with a zero timeout).
void SetResetOnClose(int fd);

}  // namespace faultline::net
