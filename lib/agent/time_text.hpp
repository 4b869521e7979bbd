// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Writing times as RFC 3339 text, the inverse of mandate::parse_rfc3339, for files that people
// read (the grants file) and that must load back to the same millisecond.
#pragma once

#include <cstdint>
#include <string>

namespace mandate::detail {

/// The earliest and latest instants RFC 3339 can write: 0000-01-01T00:00:00Z and
/// 9999-12-31T23:59:59.999Z, in milliseconds since the Unix epoch.
inline constexpr std::int64_t earliest_rfc3339_ms = -62'167'219'200'000;
inline constexpr std::int64_t latest_rfc3339_ms = 253'402'300'799'999;

/// Milliseconds since the Unix epoch as "2026-11-28T18:00:00Z" (UTC; ".250" before the "Z" when
/// the milliseconds are not zero). Times outside RFC 3339's four-digit years are clamped to
/// the nearest instant it can write.
[[nodiscard]] std::string format_rfc3339(std::int64_t ms);

}  // namespace mandate::detail
