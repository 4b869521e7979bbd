// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood's recorded traces (`trace_N.log`) and expected verdicts (`expected_N.out`), the
// format of its conformance corpus and of `replay_log`. A trace line is one event of a session:
//
//   @10 scope(principal: Drupe::OAuthUser::"alice", resource: Drupe::Gateway::"gw1")
//       entities(Drupe::OAuthUser::"alice": { level: 5 })
//       request_context(input: { document: "d" })
//       Drupe::Action::"Read"::request(input: { document: "d" }, requestId: "u1")
//
// (on one line). Timestamps are seconds. The trailing group is the logged record temporal
// predicates match; `request_context` is what Cedar conditions read as `context`. Parsing is
// strict where Dogwood's is (a duplicate key or an unterminated envelope is an error, never a
// silent last-wins) and stricter where Dogwood guesses (a bare word is not a string). Nothing
// here throws or crashes on any input.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "temporal/event.hpp"
#include "value/store.hpp"

namespace mandate::detail::dogwood {

/// One parsed trace line.
struct trace_event {
  /// time_ms = timestamp * 1000; position = index over every event of the trace from 0;
  /// fields = the trailing logged group as a record; context = the `request_context(...)`
  /// envelope as a record (the empty record when absent); principal / resource from
  /// `scope(...)`, with has_principal / has_resource saying which were given. `storage` owns
  /// the fields and context of this event only.
  temporal::event event;
  /// The `entities(...)` envelope (attributes, and parents from an optional `in [...]`), or
  /// null when the line has none.
  std::shared_ptr<entity_data> entities;
  std::uint32_t line = 0;  // 1-based line in the trace text, for messages
};

/// One line of an expected-verdict file.
struct expected_verdict {
  std::int64_t time_seconds = 0;
  std::uint64_t point = 0;  // the event's position in the trace (counting every event)
  bool allow = false;
  std::uint32_t line = 0;
};

/// Deepest nesting of records and arrays in one value.
inline constexpr std::size_t max_trace_value_nesting = 64;

/// Parses a whole trace. Blank lines, lines starting with `//` and a leading byte-order mark
/// are skipped; a `//` comment may also end a line. Values take Cedar's surface forms:
/// entity uids (`A::B::"id"`, Cedar escapes in the id), strings, integers, bare decimals
/// (`0.5`, `-0.0`, `02.5`; at most 4 fractional digits), extension constructors
/// (`decimal("1.5")`, `ip(...)`, `datetime(...)`, `duration(...)`), `true` / `false`, `null`
/// (read as "" as Dogwood does), arrays (canonical sets) and records (`{ k: v, "key": v }`).
/// On failure returns false with `error` naming the line and column ("line 3, column 17:
/// duplicate key `input` in the record"); `out` is then empty. `out` is replaced, not appended.
[[nodiscard]] bool parse_trace(std::string_view text, std::vector<trace_event>& out, std::string& error);

/// Parses an expected-verdict file: `@<ts> (time point <i>): true|false` per line; lines are
/// trimmed and blank ones skipped. Same error contract as parse_trace.
[[nodiscard]] bool parse_expected(std::string_view text, std::vector<expected_verdict>& out,
                                  std::string& error);

/// The verdict line for one decision point, exactly as Dogwood's `replay_log` writes it:
/// `@10 (time point 1): true` (no newline).
[[nodiscard]] std::string format_verdict(std::int64_t ts_seconds, std::uint64_t point, bool allow);

}  // namespace mandate::detail::dogwood
