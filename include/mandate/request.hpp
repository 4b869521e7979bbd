// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// A request: who asks to do what to which resource, in what context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/entities.hpp"
#include "mandate/expected.hpp"

namespace mandate {
namespace detail {
struct request_data;
}  // namespace detail

inline namespace v0 {

/// One hop of a delegation chain: `delegator` lets `delegate` act for it, for the actions in
/// `scope` (actions or action groups), from `issued_at_ms` until `expires_at_ms` (milliseconds
/// since the Unix epoch). `grant` names the just-in-time grant the hop came from, if any.
struct delegation_hop {
  entity_ref delegator;
  entity_ref delegate;
  std::vector<entity_ref> scope;
  std::int64_t issued_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::string grant;
  /// When set, the hop covers only this resource and the entities in it.
  std::optional<entity_ref> resource;
};

/// An immutable request. Copies share storage.
///
/// Besides Cedar's principal, action, resource and context, a request may say which `agent`
/// actually acts and the `delegation` chain from the accountable principal to it, root first.
/// Such a request is allowed only if every identity of the chain is allowed the action on the
/// resource under the same policies, the action lies in every hop's scope, and no hop has
/// expired (LANGUAGE.md 2.3). In JSON: `"agent": {"type", "id"}` and `"delegation": [{"delegator",
/// "delegate", "scope": [actions], "issued_at", "expires_at" (RFC 3339 strings), "grant",
/// "resource"}]` (`grant` and `resource` optional).
class request {
 public:
  /// The largest JSON text from_json() and with_context_json() read (16 MiB); a longer one is
  /// refused before it is parsed, and `mandate eval` refuses a longer request line.
  static constexpr std::size_t max_json_bytes = std::size_t{16} << 20;

  /// A request with an empty context.
  request(const entity_ref& principal, const entity_ref& action, const entity_ref& resource);

  /// Parses Cedar's JSON request: {"principal", "action", "resource", "context"}, where each
  /// entity is {"type": T, "id": I}, {"__entity": {...}} or the string `T::"I"`, and
  /// context is an object of Cedar JSON values. Returns a one-line message on failure.
  [[nodiscard]] static expected<request, std::string> from_json(std::string_view json);

  /// Parses Cedar's JSON request with schema `s`. The context is read as the action's context
  /// type in `s` types it: `"10.0.0.1"` for an `ipaddr` attribute, `{"type": "User", "id": ".."}`
  /// for a `User`, records field by field. With `validate_request`, the request must also pass
  /// Cedar's request validation: the action declared in `s`, the principal's and the resource's
  /// types among those it applies to (an enumerated type's id among its ids), and the context
  /// of its context type (required attributes present, no undeclared ones, every value of its
  /// type). Without it, the schema only guides the reading: a value that does not fit its type,
  /// is read as from_json(json) reads it, but the action must be declared and the context must
  /// have its required attributes (Cedar reads the context by the action's type either way).
  /// Returns a one-line message on failure. `s` need not outlive the result.
  [[nodiscard]] static expected<request, std::string> from_json(std::string_view json, const schema& s,
                                                                bool validate_request);

  /// Returns a copy with `context_json` (a JSON object of Cedar values) as its context.
  [[nodiscard]] expected<request, std::string> with_context_json(std::string_view context_json) const;

  /// Returns a copy acting through `agent` along `chain` (root first; empty for none).
  [[nodiscard]] request with_delegation(std::optional<entity_ref> agent,
                                        std::span<const delegation_hop> chain) const;

  [[nodiscard]] entity_ref principal() const;
  [[nodiscard]] entity_ref action() const;
  [[nodiscard]] entity_ref resource() const;
  [[nodiscard]] std::optional<entity_ref> agent() const;
  [[nodiscard]] std::vector<delegation_hop> delegation() const;

  /// Internal: the parsed form, for Mandate's own tools.
  [[nodiscard]] const detail::request_data& internals() const noexcept { return *impl_; }

 private:
  explicit request(std::shared_ptr<const detail::request_data> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::request_data> impl_;
  friend struct ::mandate::detail::request_data;
};

/// Reads an RFC 3339 date-time ("2026-11-28T18:00:00Z", "2026-11-28T19:00:00.250+01:00") as
/// milliseconds since the Unix epoch; nothing when the text is not one.
[[nodiscard]] std::optional<std::int64_t> parse_rfc3339(std::string_view text);

/// Reads a duration as Cedar and Dogwood write it ("30s", "1h30m", "14d", "250ms") as
/// milliseconds; nothing when the text is not one.
[[nodiscard]] std::optional<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace v0
}  // namespace mandate
