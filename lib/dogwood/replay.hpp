// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood's trace replay (its guide, chapter 7): feed a trace's events in order to one session
// and print a verdict line for every decision-kind event, in Dogwood's expected-output format.
// The conformance runner and `mandate replay` both use it.
#pragma once

#include <string>
#include <vector>

#include "mandate/diagnostic.hpp"
#include "mandate/policy_set.hpp"

namespace mandate::detail::dogwood {

struct replay_inputs {
  std::vector<policy_source> policies;  // joined as one policy set
  std::string cedar_schema;             // Cedar schema text; empty: none
  std::string cedar_schema_name = "schema.cedarschema";
  std::string event_schema;  // .dwschema text; empty: the default request/response/error schema
  std::string event_schema_name = "event.dwschema";
  std::string macros;  // a macro library replacing the defaults' place; empty: none
  std::string macros_name = "macros.dw";
  bool validate = false;    // also check predicates against the derived event schema
  bool incremental = true;  // answer temporal leaves from monitors where their shape allows
};

struct replay_setup {
  bool ok = false;
  std::vector<diagnostic> diagnostics;  // parse, macro, lowering and (when asked) validation errors
  std::shared_ptr<void> state;          // the compiled set and derived event schema
  std::size_t temporal_leaves = 0;      // temporal conditions in the set
  std::size_t monitored_leaves = 0;     // of which the incremental monitors answer
};

/// Compiles the policies and derives the event schema.
[[nodiscard]] replay_setup prepare_replay(const replay_inputs& inputs);

/// Replays `trace` (the text of a .log file). Returns false with `error` on a malformed trace.
[[nodiscard]] bool replay_trace(const replay_setup& setup, std::string_view trace,
                                std::vector<std::string>& lines, std::string& error);

}  // namespace mandate::detail::dogwood
