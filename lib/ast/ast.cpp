// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "ast/ast.hpp"

#include <algorithm>

namespace mandate::detail {

source_file::source_file(std::string file_name, std::string file_text)
    : name(std::move(file_name)), text(std::move(file_text)) {
  line_starts.push_back(0);
  for (std::uint32_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts.push_back(i + 1);
}

std::uint32_t source_file::line_of(std::uint32_t offset) const noexcept {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  return static_cast<std::uint32_t>(it - line_starts.begin());
}

std::string_view source_file::line_text(std::uint32_t line) const noexcept {
  if (line == 0 || line > line_starts.size()) return {};
  std::uint32_t begin = line_starts[line - 1];
  std::uint32_t end = line < line_starts.size() ? line_starts[line] : static_cast<std::uint32_t>(text.size());
  std::string_view view(text.data() + begin, end - begin);
  while (!view.empty() && (view.back() == '\n' || view.back() == '\r')) view.remove_suffix(1);
  return view;
}

std::string_view effect_name(effect e) noexcept {
  switch (e) {
    case effect::permit:
      return "permit";
    case effect::forbid:
      return "forbid";
    case effect::require_approval:
      return "require_approval";
  }
  return "permit";
}

const char* operator_text(expr_kind kind) noexcept {
  switch (kind) {
    case expr_kind::less:
      return "<";
    case expr_kind::less_equal:
      return "<=";
    case expr_kind::greater:
      return ">";
    case expr_kind::greater_equal:
      return ">=";
    case expr_kind::add:
      return "+";
    case expr_kind::subtract:
    case expr_kind::negate:
      return "-";
    case expr_kind::multiply:
      return "*";
    case expr_kind::equal:
      return "==";
    case expr_kind::not_equal:
      return "!=";
    default:
      return "?";
  }
}

}  // namespace mandate::detail
