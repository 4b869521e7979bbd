// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The public face of Dogwood trace replay (lib/dogwood/replay.hpp).
#include "mandate/replay.hpp"

#include <cstdio>
#include <string>
#include <string_view>

#include "dogwood/replay.hpp"

namespace mandate {
inline namespace v0 {

expected<trace_replayer, std::vector<diagnostic>> trace_replayer::prepare(
    const trace_replay_options& options) {
  detail::dogwood::replay_inputs inputs;
  inputs.policies = options.policies;
  inputs.cedar_schema = options.cedar_schema;
  inputs.cedar_schema_name = options.cedar_schema_name;
  inputs.event_schema = options.event_schema;
  inputs.event_schema_name = options.event_schema_name;
  inputs.macros = options.macros;
  inputs.macros_name = options.macros_name;
  inputs.validate = options.validate;
  inputs.incremental = options.incremental;
  auto setup = std::make_shared<detail::dogwood::replay_setup>(detail::dogwood::prepare_replay(inputs));
  if (!setup->ok) return unexpected(std::move(setup->diagnostics));
  return trace_replayer(std::move(setup));
}

namespace {

// The trace parser names positions as "line 3, column 17: message" (lib/dogwood/trace.hpp);
// this turns that into a positioned diagnostic. Errors without a position stay unpositioned.
diagnostic trace_diagnostic(std::string_view trace_name, std::string_view trace, std::string_view error) {
  unsigned line = 0;
  unsigned column = 0;
  int consumed = 0;
  const std::string text(error);
  if (std::sscanf(text.c_str(), "line %u, column %u: %n", &line, &column, &consumed) == 2 && consumed > 0)
    return diagnostic_at_line(trace_name, trace, line, column, "trace",
                              text.substr(static_cast<std::size_t>(consumed)));
  return diagnostic_at_line(trace_name, trace, 0, 0, "trace", text);
}

}  // namespace

expected<std::vector<std::string>, diagnostic> trace_replayer::replay(std::string_view trace,
                                                                      std::string_view trace_name) const {
  const auto& setup = *static_cast<const detail::dogwood::replay_setup*>(state_.get());
  std::vector<std::string> lines;
  std::string error;
  if (!detail::dogwood::replay_trace(setup, trace, lines, error))
    return unexpected(trace_diagnostic(trace_name, trace, error));
  return lines;
}

}  // namespace v0
}  // namespace mandate
