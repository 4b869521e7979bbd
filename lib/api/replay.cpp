// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The public face of Dogwood trace replay (lib/dogwood/replay.hpp).
#include "mandate/replay.hpp"

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

expected<std::vector<std::string>, std::string> trace_replayer::replay(std::string_view trace) const {
  const auto& setup = *static_cast<const detail::dogwood::replay_setup*>(state_.get());
  std::vector<std::string> lines;
  std::string error;
  if (!detail::dogwood::replay_trace(setup, trace, lines, error)) return unexpected(std::move(error));
  return lines;
}

}  // namespace v0
}  // namespace mandate
