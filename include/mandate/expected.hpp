// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// A small stand-in for C++23's std::expected: C++20 has none and Debian 12 packages no
// tl::expected. Only the names Mandate's API needs, spelled as std::expected spells them, so
// moving to the standard type later is a rename.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace mandate {
inline namespace v0 {

/// Wraps the error alternative of an expected, as std::unexpected does.
template <typename E>
class unexpected {
 public:
  explicit unexpected(E error) : error_(std::move(error)) {}
  [[nodiscard]] const E& error() const& noexcept { return error_; }
  [[nodiscard]] E& error() & noexcept { return error_; }
  [[nodiscard]] E&& error() && noexcept { return std::move(error_); }

 private:
  E error_;
};

/// Either a value of type T or an error of type E. Accessing the wrong alternative is a
/// programming error (checked by assertion through std::get).
template <typename T, typename E>
class expected {
 public:
  expected(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit like std::expected
  expected(unexpected<E> error)                              // NOLINT
      : state_(std::in_place_index<1>, std::move(error).error()) {}

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  [[nodiscard]] E& error() & { return std::get<1>(state_); }
  [[nodiscard]] const E& error() const& { return std::get<1>(state_); }
  [[nodiscard]] E&& error() && { return std::get<1>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> state_;
};

}  // namespace v0
}  // namespace mandate
