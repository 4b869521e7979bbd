// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// "did you mean `User`?" for misspelt names in schemas and policies: the closest candidate by
// edit distance, when it is close enough to be a likely typo rather than a different name.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mandate::detail {

/// Edit distance counting an insertion, a deletion, a substitution or a swap of two adjacent
/// characters as one edit (so `raed` is one edit from `read`), giving up (returning
/// `limit + 1`) once it must exceed `limit`.
inline std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return limit + 1;
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    std::size_t row_min = current[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      current[j] =
          std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
      row_min = std::min(row_min, current[j]);
    }
    if (row_min > limit) return limit + 1;
    before.swap(previous);
    previous.swap(current);
  }
  return std::min(previous[b.size()], limit + 1);
}

/// The candidate closest to `name`, or "" when none is within a third of its length (at
/// least one edit). Ties go to the first candidate.
template <typename Range>
std::string closest_name(std::string_view name, const Range& candidates) {
  const std::size_t limit = std::max<std::size_t>(1, name.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    const std::string_view text(candidate);
    if (text == name) continue;
    const std::size_t d = edit_distance(name, text, limit);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(text);
    }
  }
  return best;
}

/// "; did you mean `X`?" when there is a close candidate, else "".
template <typename Range>
std::string did_you_mean(std::string_view name, const Range& candidates) {
  std::string best = closest_name(name, candidates);
  return best.empty() ? std::string() : "; did you mean `" + best + "`?";
}

}  // namespace mandate::detail
