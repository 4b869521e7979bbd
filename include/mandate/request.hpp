// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// A request: who asks to do what to which resource, in what context.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mandate/entities.hpp"
#include "mandate/expected.hpp"

namespace mandate {
namespace detail {
struct request_data;
}  // namespace detail

inline namespace v0 {

/// An immutable request. Copies share storage.
class request {
 public:
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
  /// or the context of an action `s` does not declare, is read as from_json(json) reads it.
  /// Returns a one-line message on failure. `s` need not outlive the result.
  [[nodiscard]] static expected<request, std::string> from_json(std::string_view json, const schema& s,
                                                                bool validate_request);

  /// Returns a copy with `context_json` (a JSON object of Cedar values) as its context.
  [[nodiscard]] expected<request, std::string> with_context_json(std::string_view context_json) const;

  [[nodiscard]] entity_ref principal() const;
  [[nodiscard]] entity_ref action() const;
  [[nodiscard]] entity_ref resource() const;

  /// Internal: the parsed form, for Mandate's own tools.
  [[nodiscard]] const detail::request_data& internals() const noexcept { return *impl_; }

 private:
  explicit request(std::shared_ptr<const detail::request_data> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::request_data> impl_;
  friend struct ::mandate::detail::request_data;
};

}  // namespace v0
}  // namespace mandate
