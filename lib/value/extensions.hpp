// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar's extension types: decimal, ipaddr, datetime and duration, their constructors
// (`decimal("1.5")`, `ip("10.0.0.0/8")`, `datetime("2024-10-15")`, `duration("1h30m")`) and
// their methods (`lessThan`, `isInRange`, `offset`, `toDays`, ...). Literal syntax, ranges and
// error cases follow the Cedar reference implementation and its Lean model. Every function
// here reports failure through its return value and never throws for bad input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/arena.hpp"
#include "value/value.hpp"

namespace mandate::detail {

/// True when `name` is an extension constructor ("decimal", "ip", "datetime", "duration").
[[nodiscard]] bool is_extension_function(std::string_view name) noexcept;
/// True when `name` is a method of some extension type (lessThan, isInRange, offset, toDays, ...).
[[nodiscard]] bool is_extension_method(std::string_view name) noexcept;

/// Calls constructor `name` on already-evaluated `args`. On success writes `out` (an ip value
/// points into `storage`) and returns true; on failure writes a one-line message into `error`
/// (`invalid decimal literal "1.23456": ...`, `wrong number of arguments to ip: expected 1, got 2`,
/// `ip expects a String, got Long`) and returns false.
[[nodiscard]] bool call_extension_function(std::string_view name, std::span<const value> args, arena& storage,
                                           value& out, std::string& error);
/// Calls method `name` on `receiver` with `args` (not counting the receiver); same contract.
/// A receiver or argument of the wrong type is an error, as is overflow.
[[nodiscard]] bool call_extension_method(std::string_view name, const value& receiver,
                                         std::span<const value> args, arena& storage, value& out,
                                         std::string& error);

/// Parses a decimal literal ("-12.3400"): digits, a point, one to four digits; the result is
/// scaled by 10^4 and must fit in an int64.
[[nodiscard]] bool parse_decimal(std::string_view text, std::int64_t& out) noexcept;
/// Parses an IPv4 or IPv6 address with an optional /prefix. Rejects IPv4 octets with leading
/// zeros and IPv4 embedded in IPv6 ("::ffff:1.2.3.4"), as Cedar does.
[[nodiscard]] bool parse_ip(std::string_view text, ip_data& out) noexcept;
/// Parses "YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ", with optional ".SSS" and a "+hhmm"/"-hhmm"
/// offset instead of "Z", into milliseconds since the Unix epoch (UTC).
[[nodiscard]] bool parse_datetime(std::string_view text, std::int64_t& out_ms) noexcept;
/// Parses "[-]NdNhNmNsNms" (units in that order, each optional, at least one) into milliseconds.
[[nodiscard]] bool parse_duration(std::string_view text, std::int64_t& out_ms) noexcept;
/// The text Cedar writes for a duration of `ms`: "1d2h", "30s", "250ms", "0ms".
[[nodiscard]] std::string format_duration(std::int64_t ms);

/// The constructor form of an extension value, as used by to_cedar: `decimal("1.2300")`,
/// `ip("10.0.0.0/8")`, `datetime("2024-01-01T00:00:00.000Z")`, `duration("1h30m")`.
/// Any other kind of value is rendered by to_cedar.
[[nodiscard]] std::string format_extension(const value& v);

}  // namespace mandate::detail
