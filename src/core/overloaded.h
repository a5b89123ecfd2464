#pragma once
// A visitor from lambdas, for std::visit over a variant (an op, a cost
// source): Overloaded{[](const Conv2D&) {...}, [](const Dense&) {...}}. With no
// default branch, a new alternative does not compile until every visit has
// decided what to do with it (docs/architecture.md, Conventions).
namespace splitpoint {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;  // clang 14 (the fuzz build) lacks aggregate deduction

}  // namespace splitpoint
