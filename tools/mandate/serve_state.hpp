// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// What the decision server (`mandate serve`, SERVE.md) shares between its HTTP handlers, its
// reload watcher and its signal thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mandate/audit.hpp"
#include "mandate/entities.hpp"
#include "mandate/grants.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/schema.hpp"
#include "mandate/session.hpp"

namespace httplib {
class Server;
}  // namespace httplib

namespace mandate::cli::serve {

/// Everything one decision reads, published as a whole so that a reload never lets a request
/// see new policies with old entities (or a schema the entities were not read with).
struct served_snapshot {
  policy_set policies;
  entity_store entities;
  std::optional<schema> request_schema;
  std::uint64_t generation = 0;
};

/// Prometheus counters and the latency histogram. Lock-free: every handler thread bumps them.
class metrics {
 public:
  /// Upper bounds of the latency buckets, in seconds: from 10 us (a hot decision) to 1 s.
  static constexpr std::array<double, 14> bucket_bounds{
      0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0};

  void count_decision(verdict outcome) noexcept;
  void observe_latency(std::chrono::nanoseconds elapsed) noexcept;
  void count_response(int status) noexcept;
  void count_reload(bool ok) noexcept;
  /// The Prometheus text exposition format (version 0.0.4).
  [[nodiscard]] std::string render(const served_snapshot& current) const;

 private:
  std::array<std::atomic<std::uint64_t>, 3> decisions_{};                       // by verdict
  std::array<std::atomic<std::uint64_t>, bucket_bounds.size() + 1> buckets_{};  // last: +Inf only
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::uint64_t> latency_sum_ns_{0};
  // Responses by status: the codes the server itself sends, then everything else.
  static constexpr std::array<int, 12> known_statuses_{200, 201, 400, 401, 403, 404,
                                                       405, 411, 413, 415, 500, 503};
  std::array<std::atomic<std::uint64_t>, known_statuses_.size() + 1> responses_{};
  std::atomic<std::uint64_t> reloads_ok_{0};
  std::atomic<std::uint64_t> reloads_failed_{0};
};

struct server_settings {
  std::string policies_path;
  std::string entities_path;
  std::string schema_path;
  std::string listen = "127.0.0.1:8181";
  std::string audit_path;
  std::string mode = "mandate";
  std::string max_window;
  std::size_t max_body = std::size_t{1} << 20;
  std::size_t threads = 8;
  std::int64_t reload_interval_ms = 1000;  // 0: reload on SIGHUP only
  std::size_t max_batch = 10000;
  /// Bearer token the control endpoints (grants, task completion, session events and state,
  /// signals) require; empty disables them. They change what later decisions see (a signal can
  /// rewrite a principal's attributes, an event can satisfy a temporal condition), so they are
  /// never open to whoever can reach the port.
  std::string control_token;
};

/// The server's shared state. Handlers only ever read `current()` once per request.
class server_state {
 public:
  server_state(const server_settings& settings, std::shared_ptr<const served_snapshot> first,
               std::unique_ptr<file_audit_sink> audit);

  [[nodiscard]] std::shared_ptr<const served_snapshot> current() const noexcept {
    const std::lock_guard guard(current_lock_);
    return current_;
  }
  void publish(std::shared_ptr<const served_snapshot> next) noexcept {
    const std::lock_guard guard(current_lock_);
    current_.swap(next);  // the old snapshot is released outside the lock, when `next` goes
  }

  const server_settings& settings;
  /// HOST:PORT as bound (the port resolved when --listen asked for 0), for the discovery document.
  std::string address;
  evaluation_options options;
  std::shared_ptr<in_memory_grant_store> grant_store = std::make_shared<in_memory_grant_store>();
  grant_authority grants{grant_store};
  session_manager sessions;
  std::unique_ptr<file_audit_sink> audit;
  metrics stats;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> next_request_id{1};

 private:
  // A mutex, not std::atomic<std::shared_ptr>: see mandate::engine for why.
  mutable std::mutex current_lock_;
  std::shared_ptr<const served_snapshot> current_;
};

/// Registers every endpoint, the error pages and the request-id echo on `server`.
void install_routes(httplib::Server& server, server_state& state);

}  // namespace mandate::cli::serve
