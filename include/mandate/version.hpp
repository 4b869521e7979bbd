// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace mandate {
inline namespace v0 {

inline constexpr int version_major = 0;
inline constexpr int version_minor = 1;
inline constexpr int version_patch = 0;
/// The engine version, as written into audit records.
inline constexpr std::string_view version_string = "0.1.0";

}  // namespace v0
}  // namespace mandate
