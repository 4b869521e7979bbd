// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "format/doc.hpp"

#include <algorithm>

namespace mandate::detail::formatting {

doc_id doc_builder::leaf(doc_kind kind) {
  nodes_.push_back(doc_node{kind, kind == doc_kind::hardline, {}, {}});
  return static_cast<doc_id>(nodes_.size() - 1);
}

doc_id doc_builder::text(std::string_view s) {
  nodes_.push_back(doc_node{doc_kind::text, s.find('\n') != std::string_view::npos, s, {}});
  return static_cast<doc_id>(nodes_.size() - 1);
}

doc_id doc_builder::node(doc_kind kind, std::vector<doc_id> children) {
  bool hard = false;
  for (doc_id c : children) hard = hard || nodes_[c].hard;
  nodes_.push_back(doc_node{kind, hard, {}, std::move(children)});
  return static_cast<doc_id>(nodes_.size() - 1);
}

// Whether `next`, printed flat, and what follows it up to the next line break fit in `width`.
// Stops as soon as the width is used up, and walks containers a child at a time rather than
// pushing all their children, so a group costs at most a line's worth of lookahead however
// long the list it holds.
bool doc_builder::fits(doc_id next, std::int64_t width, const std::vector<command>& rest,
                       bool next_flat) const {
  struct frame {
    bool flat;
    doc_id id;
    std::size_t child = 0;  // for containers: the next child to visit
  };
  std::vector<frame> todo{{next_flat, next}};
  std::size_t rest_index = rest.size();
  bool in_rest = !next_flat;
  while (width >= 0) {
    if (todo.empty()) {
      if (rest_index == 0) return true;
      --rest_index;
      todo.push_back({rest[rest_index].flat, rest[rest_index].id});
      in_rest = true;
    }
    frame& top = todo.back();
    const doc_node& d = nodes_[top.id];
    const bool flat = top.flat;
    // A choice is measured as its expanded form: flat, that is the same text as the hugged one;
    // broken, it breaks right after its opening bracket, where the hugged form would too.
    if (d.kind == doc_kind::choice && top.child == 0) top.child = 1;
    if (d.kind == doc_kind::group || d.kind == doc_kind::concat || d.kind == doc_kind::indent ||
        d.kind == doc_kind::choice) {
      if (top.child == d.children.size()) {
        todo.pop_back();
        continue;
      }
      // Inside the group being measured every group is flat. What follows it only has to fit
      // up to its first possible line break: a later group decides for itself whether to
      // break, so `exists (a: Long). (` keeps its binder on one line before a long body.
      const bool child_flat = d.kind == doc_kind::group && !in_rest ? !d.hard : flat;
      const doc_id child = d.children[top.child++];
      todo.push_back({child_flat, child});
      continue;
    }
    todo.pop_back();
    switch (d.kind) {
      case doc_kind::text:
        // A multi-line string ends the line being measured where its first line ends.
        if (d.hard) return width - static_cast<std::int64_t>(d.text.find('\n')) >= 0;
        width -= static_cast<std::int64_t>(d.text.size());
        break;
      case doc_kind::space:
        width -= 1;
        break;
      case doc_kind::line:
        if (!flat) return true;
        width -= 1;
        break;
      case doc_kind::softline:
        if (!flat) return true;
        break;
      default:  // hardline
        return true;
    }
  }
  return false;
}

std::string doc_builder::print(doc_id root, std::uint32_t width, std::uint32_t indent_step) const {
  std::string out;
  std::int64_t column = 0;
  bool pending_newline = false;
  bool pending_space = false;
  std::uint32_t pending_indent = 0;
  auto flush = [&] {
    if (pending_newline) {
      if (!out.empty()) out += '\n';
      out.append(pending_indent, ' ');
      column = pending_indent;
    } else if (pending_space) {
      out += ' ';
      ++column;
    }
    pending_newline = false;
    pending_space = false;
  };
  auto newline = [&](std::uint32_t indent) {
    pending_newline = true;
    pending_space = false;
    pending_indent = indent;
  };
  // Where the next text would start, for the fit test.
  auto next_column = [&]() -> std::int64_t {
    if (pending_newline) return pending_indent;
    return column + (pending_space ? 1 : 0);
  };

  std::vector<command> stack{{0, false, root}};
  while (!stack.empty()) {
    const command cmd = stack.back();
    stack.pop_back();
    const doc_node& d = nodes_[cmd.id];
    switch (d.kind) {
      case doc_kind::text: {
        flush();
        out += d.text;
        const auto nl = d.text.rfind('\n');
        column = nl == std::string_view::npos ? column + static_cast<std::int64_t>(d.text.size())
                                              : static_cast<std::int64_t>(d.text.size() - nl - 1);
        break;
      }
      case doc_kind::space:
        if (!pending_newline && column > 0) pending_space = true;
        break;
      case doc_kind::line:
        if (cmd.flat) {
          if (!pending_newline && column > 0) pending_space = true;
        } else {
          newline(cmd.indent);
        }
        break;
      case doc_kind::softline:
        if (!cmd.flat) newline(cmd.indent);
        break;
      case doc_kind::hardline:
        newline(cmd.indent);
        break;
      case doc_kind::choice: {
        // Flat, or expanded when it cannot hug (a comment inside), or hugged when the hugged
        // form's first line fits, else expanded.
        doc_id pick = d.children[1];
        if (!cmd.flat && !d.hard &&
            !fits(d.children[1], static_cast<std::int64_t>(width) - next_column(), stack) &&
            fits(d.children[0], static_cast<std::int64_t>(width) - next_column(), stack, false)) {
          pick = d.children[0];
        }
        stack.push_back({cmd.indent, cmd.flat, pick});
        break;
      }
      case doc_kind::concat:
      case doc_kind::indent:
      case doc_kind::group: {
        const std::uint32_t indent = cmd.indent + (d.kind == doc_kind::indent ? indent_step : 0);
        bool flat = cmd.flat;
        if (d.kind == doc_kind::group && !flat) {
          flat = !d.hard && fits(cmd.id, static_cast<std::int64_t>(width) - next_column(), stack);
        }
        for (auto it = d.children.rbegin(); it != d.children.rend(); ++it)
          stack.push_back({indent, flat, *it});
        break;
      }
    }
  }
  return out;
}

}  // namespace mandate::detail::formatting
