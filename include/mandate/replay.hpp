// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Replaying a Dogwood trace (Dogwood's guide, chapter 7): a trace's events are fed in order to
// one session and every decision-kind event gets a verdict line in Dogwood's expected-output
// format (`@10 (time point 1): true`). `mandate replay` and the conformance runner use it; so
// can a user checking that Mandate decides their Dogwood policies as Dogwood does.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/diagnostic.hpp"
#include "mandate/expected.hpp"
#include "mandate/policy_set.hpp"

namespace mandate {
inline namespace v0 {

struct trace_replay_options {
  std::vector<policy_source> policies;  ///< joined as one policy set
  std::string cedar_schema;             ///< Cedar schema text; empty: none
  std::string cedar_schema_name = "schema.cedarschema";
  std::string event_schema;  ///< `.dwschema` text; empty: request, response and error events
  std::string event_schema_name = "event.dwschema";
  std::string macros;  ///< `def temporal` / `def cedar` library added to the standard macros
  std::string macros_name = "macros.dw";
  bool validate = false;  ///< also check the policies against both schemas
  /// Answer temporal conditions from incremental monitors where their shape allows (the
  /// default); false reads the history with the reference evaluator on every decision.
  bool incremental = true;
};

/// Policies and schemas compiled once, ready to replay any number of traces.
class trace_replayer {
 public:
  /// Compiles the policies and derives the event schema; the diagnostics on failure.
  [[nodiscard]] static expected<trace_replayer, std::vector<diagnostic>> prepare(
      const trace_replay_options& options);

  /// Replays `trace` (the text of a `.log` file named `trace_name` in messages): one verdict
  /// line per decision event. A malformed trace is a diagnostic (code "trace") at its line and
  /// column, rendered like the compiler's.
  [[nodiscard]] expected<std::vector<std::string>, diagnostic> replay(
      std::string_view trace, std::string_view trace_name = "<trace>") const;

 private:
  explicit trace_replayer(std::shared_ptr<const void> state) : state_(std::move(state)) {}
  std::shared_ptr<const void> state_;
};

}  // namespace v0
}  // namespace mandate
